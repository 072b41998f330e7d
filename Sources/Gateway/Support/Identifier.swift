#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// Prefixed, time-sortable random ids (`wh_01JD…`): 48 bits of milliseconds then 80 random bits,
/// in Crockford base32, so sorting ids sorts by creation time (the registry's cursor relies on it).
public enum Identifier {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// A new id such as `wh_01JDQ8Z6X3M4N5P6Q7R8S9T0VW`.
    public static func make(prefix: String, now: Date = Date()) -> String {
        var generator = PooledRandomGenerator()
        let millis = UInt64(max(0, now.timeIntervalSince1970 * 1000))
        var bytes = [UInt8](repeating: 0, count: 26)
        var time = millis
        for index in stride(from: 9, through: 0, by: -1) {
            bytes[index] = alphabet[Int(time & 31)]
            time >>= 5
        }
        // Two 64-bit draws, five bits per character (32 letters: no modulo bias). One draw per
        // character cost 16 `getrandom` calls per id: 5 % of the delivery engine's CPU; the draws now
        // come from a pool filled 64 words per call.
        var random = UInt128(generator.next() as UInt64) << 64 | UInt128(generator.next() as UInt64)
        for index in 10..<26 {
            bytes[index] = alphabet[Int(random & 31)]
            random >>= 5
        }
        return prefix + String(decoding: bytes, as: UTF8.self)
    }

    /// Whether `id` has the shape ``make(prefix:now:)`` produces (safe to use as a file name).
    public static func isValid(_ id: String, prefix: String) -> Bool {
        guard id.hasPrefix(prefix) else { return false }
        let body = id.utf8.dropFirst(prefix.utf8.count)
        return body.count == 26 && body.allSatisfy { alphabet.contains($0) }
    }
}

/// Random secrets and constant-time comparison.
public enum Secrets {
    /// `count` bytes from the system's cryptographically secure generator.
    public static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in generator.next() }
    }

    /// Compares without an early exit, so timing does not reveal where two tokens differ.
    public static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<max(left.count, right.count) {
            difference |= (index < left.count ? left[index] : 0) ^ (index < right.count ? right[index] : 0)
        }
        return difference == 0
    }
}
