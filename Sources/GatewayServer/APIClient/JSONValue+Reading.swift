import Gateway

import Foundation

/// Reading the gateway's answers: field access and the text a human table shows for a value.
extension JSONValue {
    /// The member `key` of an object; `nil` for a missing key or a value that is not an object.
    subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The string, when this is one.
    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The number as an integer, when this is a whole number.
    var int: Int? {
        if case .number(let value) = self, value.rounded() == value, abs(value) < 1e15 { return Int(value) }
        return nil
    }

    /// The elements, when this is an array (empty otherwise).
    var array: [JSONValue] {
        if case .array(let elements) = self { return elements }
        return []
    }

    /// The members, when this is an object (empty otherwise).
    var members: [String: JSONValue] {
        if case .object(let members) = self { return members }
        return [:]
    }

    /// One line for a table cell: strings as they are, whole numbers without `.0`, arrays comma-separated,
    /// objects as `key=value` pairs in key order, `null` as `-`.
    var text: String {
        switch self {
        case .null: "-"
        case .bool(let value): value ? "true" : "false"
        case .number: int.map(String.init) ?? Self.decimal(self)
        case .string(let value): value
        case .array(let elements): elements.isEmpty ? "-" : elements.map(\.text).joined(separator: ", ")
        case .object(let members):
            members.isEmpty ? "-" : members.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.text)" }.joined(separator: ", ")
        }
    }

    /// The value as the server's JSON, pretty-printed with sorted keys (what `--json` prints).
    var prettyJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(self) else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    private static func decimal(_ value: JSONValue) -> String {
        if case .number(let number) = value { return String(format: "%.3f", number) }
        return value.text
    }
}
