import Foundation

/// The grid of a parameter sweep: one or more `--param` settings and their cartesian product.
///
/// A parameter is `KEY=START:STOP:STEP` (inclusive; integers or plain decimals, computed exactly in
/// fixed point so `0.1:0.3:0.1` gives `0.1,0.2,0.3`) or `KEY=v1,v2,v3` (any values, in the order
/// given; a single value is a one-item list). Points are numbered like nested loops over the
/// parameters in the order given: the first `--param` varies slowest, the last fastest.
public struct SweepGrid: Hashable, Sendable {
    /// One swept setting and its values, as the `--set`-style text each replay receives.
    public struct Parameter: Hashable, Sendable {
        /// Dotted key path, e.g. `pipeline.endpointing.silence_ms`.
        public var key: String
        /// The values in sweep order.
        public var values: [String]

        /// A parameter with explicit values.
        public init(key: String, values: [String]) {
            self.key = key
            self.values = values
        }
    }

    /// Largest number of grid points accepted (per parameter and in total).
    public static let maxPoints = 10_000

    /// The parameters, outermost first.
    public let parameters: [Parameter]
    /// Number of points (the product of the parameters' value counts).
    public let count: Int

    /// Parses `--param` specifications, in order.
    public init(specs: [String]) throws {
        try self.init(parameters: specs.map(Self.parameter(_:)))
    }

    /// A grid over `parameters` (checked: at least one, distinct keys, at most `maxPoints` points).
    public init(parameters: [Parameter]) throws {
        guard !parameters.isEmpty else { throw ReplayError("sweep: give at least one --param KEY=START:STOP:STEP or KEY=v1,v2") }
        var seen = Set<String>()
        var total = 1
        for p in parameters {
            guard seen.insert(p.key).inserted else { throw ReplayError("--param \(p.key): the key is swept twice") }
            guard !p.values.isEmpty else { throw ReplayError("--param \(p.key): no values") }
            let (product, overflow) = total.multipliedReportingOverflow(by: p.values.count)
            guard !overflow, product <= Self.maxPoints else {
                throw ReplayError("--param: the grid has more than \(Self.maxPoints) points; use fewer values or a coarser step")
            }
            total = product
        }
        self.parameters = parameters
        count = total
    }

    /// The value of every parameter at point `index`, in parameter order.
    public func values(at index: Int) -> [String] {
        precondition(index >= 0 && index < count, "grid point \(index) out of 0..<\(count)")
        var rest = index
        var out = [String](repeating: "", count: parameters.count)
        for (i, p) in parameters.enumerated().reversed() {
            out[i] = p.values[rest % p.values.count]
            rest /= p.values.count
        }
        return out
    }

    /// The `--set`-style overrides of point `index`.
    public func overrides(at index: Int) -> [String] {
        zip(parameters, values(at: index)).map { "\($0.key)=\($1)" }
    }

    /// A short label for point `index`: its values joined by `/` (e.g. `500` or `500/smart`).
    public func label(at index: Int) -> String {
        values(at: index).joined(separator: "/")
    }

    /// Short column names for the keys: the last path component, or the whole key when two
    /// parameters share a last component.
    public var shortKeys: [String] {
        let last = parameters.map { String($0.key.split(separator: ".").last ?? Substring($0.key)) }
        return parameters.enumerated().map { i, p in
            last.filter { $0 == last[i] }.count > 1 ? p.key : last[i]
        }
    }

    /// Parses one `KEY=START:STOP:STEP` or `KEY=v1,v2,…` specification.
    public static func parameter(_ spec: String) throws -> Parameter {
        guard let eq = spec.firstIndex(of: "=") else {
            throw ReplayError("--param \(spec): expected KEY=START:STOP:STEP or KEY=v1,v2,… (e.g. pipeline.endpointing.silence_ms=300:1200:100)")
        }
        let key = spec[..<eq].trimmingCharacters(in: .whitespaces)
        let body = spec[spec.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        let path = key.split(separator: ".", omittingEmptySubsequences: false)
        guard !key.isEmpty, !path.contains(where: \.isEmpty), !key.contains(where: \.isWhitespace) else {
            throw ReplayError("--param \(spec): '\(key)' is not a dotted key path like pipeline.endpointing.silence_ms")
        }
        guard !body.isEmpty else { throw ReplayError("--param \(key): no values after '='") }
        if body.contains(":") && !body.contains(",") {
            return Parameter(key: key, values: try range(body, key: key))
        }
        let items = body.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        guard !items.contains(where: \.isEmpty) else { throw ReplayError("--param \(key)=\(body): empty value in the list") }
        var seen = Set<String>()
        for item in items where !seen.insert(item).inserted {
            throw ReplayError("--param \(key)=\(body): value '\(item)' is listed twice")
        }
        guard items.count <= maxPoints else {
            throw ReplayError("--param \(key): \(items.count) values is more than \(maxPoints)")
        }
        return Parameter(key: key, values: items)
    }

    /// The values of an inclusive `START:STOP:STEP` range, formatted with the most decimals of the three.
    static func range(_ body: String, key: String) throws -> [String] {
        let parts = body.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let example = "expected START:STOP:STEP with numbers, e.g. 300:1200:100 or 0.3:0.9:0.05"
        guard parts.count == 3 else { throw ReplayError("--param \(key)=\(body): \(example)") }
        var decimals: [SweepDecimal] = []
        for part in parts {
            guard let d = SweepDecimal(part) else { throw ReplayError("--param \(key)=\(body): '\(part)' is not a number (\(example))") }
            decimals.append(d)
        }
        let scale = decimals.map(\.scale).max() ?? 0
        let (start, stop, step) = (decimals[0].scaled(to: scale), decimals[1].scaled(to: scale), decimals[2].scaled(to: scale))
        guard step > 0 else { throw ReplayError("--param \(key)=\(body): the step must be greater than 0") }
        guard start <= stop else { throw ReplayError("--param \(key)=\(body): START is greater than STOP") }
        let n = (stop - start) / step + 1
        guard n <= Int64(maxPoints) else {
            throw ReplayError("--param \(key)=\(body): \(n) values is more than \(maxPoints); use a coarser step")
        }
        return (0..<n).map { SweepDecimal(units: start + $0 * step, scale: scale).text }
    }
}

/// A plain decimal number held exactly as an integer count of 10^-scale units.
struct SweepDecimal {
    /// The value times 10^scale.
    var units: Int64
    /// Digits after the decimal point.
    var scale: Int

    init(units: Int64, scale: Int) {
        self.units = units
        self.scale = scale
    }

    /// Parses `[-+]digits[.digits]` (at most 15 significant digits; no exponent).
    init?(_ text: String) {
        var s = Substring(text.trimmingCharacters(in: .whitespaces))
        var negative = false
        if let sign = s.first, sign == "-" || sign == "+" {
            negative = sign == "-"
            s = s.dropFirst()
        }
        let pieces = s.split(separator: ".", omittingEmptySubsequences: false)
        guard pieces.count <= 2, let whole = pieces.first else { return nil }
        let fraction = pieces.count == 2 ? pieces[1] : ""
        guard !(whole.isEmpty && fraction.isEmpty), whole.count + fraction.count <= 15,
              (whole + fraction).allSatisfy({ $0.isASCII && $0.isNumber }),
              let units = Int64(whole.isEmpty && fraction.isEmpty ? "0" : whole + fraction)
        else { return nil }
        self.units = negative ? -units : units
        scale = fraction.count
    }

    /// The same value with `scale` decimals (`scale` ≥ the current one).
    func scaled(to scale: Int) -> Int64 {
        var u = units
        for _ in self.scale..<scale { u *= 10 }
        return u
    }

    /// The value with exactly `scale` decimals (`-0.5`, `300`, `0.10`).
    var text: String {
        guard scale > 0 else { return String(units) }
        let digits = String(units.magnitude)
        let padded = String(repeating: "0", count: max(0, scale + 1 - digits.count)) + digits
        let cut = padded.index(padded.endIndex, offsetBy: -scale)
        return (units < 0 ? "-" : "") + padded[..<cut] + "." + padded[cut...]
    }
}
