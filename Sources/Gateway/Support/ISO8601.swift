#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Formats timestamps the way every payload of the gateway carries them: ISO-8601, UTC, milliseconds;
/// and reads the RFC 3339 timestamps that requests carry.
public enum ISO8601 {
    private static let wholeSeconds = Date.ISO8601FormatStyle()
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    /// `2026-11-29T08:37:22.123Z`, rounded to the millisecond (as the journal stores times), so that a
    /// time read back from milliseconds prints the same.
    ///
    /// From 1583 to 9999 computed from the day count rather than through `Calendar`: every broadcast
    /// carries one, and Foundation's formatter cost about as much as encoding the rest of the message.
    /// Outside those years (before 1582 Foundation's calendar is Julian; after 9999 the year has five
    /// digits) Foundation prints it, as it did for all dates before.
    public static func string(from date: Date) -> String {
        let interval = date.timeIntervalSince1970
        guard interval >= fastPathStart, interval < fastPathEnd else { return foundationString(from: date) }
        let millis = Int64((interval * 1000).rounded())
        let (days, millisOfDay) = millis.floorDividedBy(86_400_000)
        let (year, month, day) = civilDate(daysSince1970: days)
        let seconds = millisOfDay / 1000
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        func append(_ value: Int64, digits: Int) {
            var divisor: Int64 = 1
            for _ in 1..<digits { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        append(year, digits: 4)
        bytes.append(UInt8(ascii: "-"))
        append(month, digits: 2)
        bytes.append(UInt8(ascii: "-"))
        append(day, digits: 2)
        bytes.append(UInt8(ascii: "T"))
        append(seconds / 3600, digits: 2)
        bytes.append(UInt8(ascii: ":"))
        append(seconds / 60 % 60, digits: 2)
        bytes.append(UInt8(ascii: ":"))
        append(seconds % 60, digits: 2)
        bytes.append(UInt8(ascii: "."))
        append(millisOfDay % 1000, digits: 3)
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// 1583-01-01T00:00:00Z and 10000-01-01T00:00:00Z, in seconds since 1970 (NaN fails both comparisons).
    private static let fastPathStart: Double = -12_212_553_600
    private static let fastPathEnd: Double = 253_402_300_800 - 0.0005

    /// Foundation's ISO 8601 style for the whole seconds, the milliseconds appended.
    private static func foundationString(from date: Date) -> String {
        let millis = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (millis / 1000).rounded(.down)
        let fraction = Int(millis - seconds * 1000)
        let whole = Date(timeIntervalSince1970: seconds).formatted(wholeSeconds)  // …T08:37:22Z
        let digits = String(fraction)
        return whole.dropLast() + "." + String(repeating: "0", count: 3 - digits.count) + digits + "Z"
    }

    /// Year, month and day of the day `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`),
    /// in the proleptic Gregorian calendar.
    static func civilDate(daysSince1970 days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468  // days since 0000-03-01
        let (era, dayOfEra) = shifted.floorDividedBy(146_097)
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153  // 0 = March
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// An RFC 3339 date-time (`2026-11-29T08:37:22Z`, `…22.5+01:00`, `t`/`z` in either case), or `nil`:
    /// every field is range-checked (Foundation's parser accepts minute 99).
    public static func date(from text: String) -> Date? {
        let bytes = Array(text.uppercased().utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<start + count] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        func at(_ index: Int, _ character: Unicode.Scalar) -> Bool { index < bytes.count && bytes[index] == UInt8(ascii: character) }
        guard number(0, 4) != nil, at(4, "-"), let month = number(5, 2), at(7, "-"), let day = number(8, 2), at(10, "T"),
            let hour = number(11, 2), at(13, ":"), let minute = number(14, 2), at(16, ":"), let second = number(17, 2),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        var index = 19
        var hasFraction = false
        if at(index, ".") {
            index += 1
            let start = index
            while index < bytes.count, number(index, 1) != nil { index += 1 }
            guard index > start else { return nil }
            hasFraction = true
        }
        if at(index, "Z") {
            index += 1
        } else if at(index, "+") || at(index, "-") {
            guard let offsetHours = number(index + 1, 2), at(index + 3, ":"), let offsetMinutes = number(index + 4, 2), offsetHours < 24, offsetMinutes < 60
            else { return nil }
            index += 6
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let normalized = String(decoding: bytes, as: UTF8.self)
        return try? (hasFraction ? fractional : wholeSeconds).parse(normalized)
    }
}

extension Int64 {
    /// Quotient rounded down and a remainder that is never negative (`-1 ÷ 10` is `-1` rest `9`).
    fileprivate func floorDividedBy(_ divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        let remainder = self % divisor
        return remainder < 0 ? (self / divisor - 1, remainder + divisor) : (self / divisor, remainder)
    }
}
