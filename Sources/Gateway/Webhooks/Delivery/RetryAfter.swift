/// Parses `Retry-After`: delay-seconds (`120`) or an IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`).
public enum RetryAfter {
    /// The delay the header asks for, relative to `nowMillis`; `nil` when it cannot be read.
    /// A date in the past is a zero delay.
    public static func parse(_ value: String, nowMillis: Int64) -> Duration? {
        let text = value.trimmingSpaces
        if let seconds = Int64(text), seconds >= 0 { return .seconds(seconds) }
        guard let epoch = imfFixdate(text) else { return nil }
        return .milliseconds(max(0, epoch * 1000 - nowMillis))
    }

    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// Seconds since 1970 for `Www, DD Mon YYYY HH:MM:SS GMT`.
    static func imfFixdate(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT",
            let day = Int64(parts[1]), let monthIndex = months.firstIndex(of: String(parts[2])), let year = Int64(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int64($0) }
        guard clock.count == 3, (1...31).contains(day), (0...23).contains(clock[0]), (0...59).contains(clock[1]), (0...60).contains(clock[2]) else {
            return nil
        }
        return daysFromCivil(year: year, month: Int64(monthIndex + 1), day: day) * 86400 + clock[0] * 3600 + clock[1] * 60 + clock[2]
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146097 + dayOfEra - 719468
    }
}
