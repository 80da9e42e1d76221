// Model and optimiser configs as JSON: the form they take in checkpoints, in
// CLI config files and across the C API. Reading is strict: an unknown
// field, a wrong type or a value out of range is an error naming the field,
// because a silently ignored typo ("reed_heads") would train the wrong
// network for hours. Writing is deterministic: every field, always, in a
// fixed order, so the same config always gives the same bytes.

/// Why a model or optimiser config (or a preset name) was rejected. The
/// message names the field and says what is allowed, because it is shown as
/// is to users of the CLI and the C API.
public struct ConfigError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The JSON field at fault (e.g. `"read_heads"`, `"controller_layers[1]"`),
    /// or nil when the problem is not one field's (e.g. a JSON syntax error).
    public var field: String?
    public var message: String

    public init(_ message: String, field: String? = nil) {
        self.message = message
        self.field = field
    }

    public var description: String { message }
}

// MARK: - Model config

extension ModelConfig {
    /// The JSON field names, in the order `json` writes them.
    public static let jsonFields = [
        "kind", "input_size", "output_size", "controller", "controller_layers",
        "read_heads", "write_heads", "memory_rows", "memory_width", "shift_range",
        "initial_memory", "initial_memory_value", "add_activation", "initial_weighting",
    ]

    /// A model config from a JSON object.
    ///
    /// Fields (snake case; every field but `input_size` and `output_size` is
    /// optional; no other field is allowed):
    ///
    /// | field | type | default | allowed |
    /// | --- | --- | --- | --- |
    /// | `kind` | string | `"ntm"` | `"ntm"` (controller + heads + memory) or `"lstm"` (the paper's LSTM baseline: no heads, no memory) |
    /// | `input_size` | integer | required | 1 … 65536 |
    /// | `output_size` | integer | required | 1 … 65536 |
    /// | `controller` | string | `"lstm"` | `"feedforward"` or `"lstm"`; must be `"lstm"` when kind is `"lstm"` |
    /// | `controller_layers` | array of integers | `[100]` | 1 … 8 layer sizes, each 1 … 4096 |
    /// | `read_heads` | integer | 1 (kind `"lstm"`: 0) | 1 … 64 (kind `"lstm"`: 0) |
    /// | `write_heads` | integer | 1 (kind `"lstm"`: 0) | 1 … 64 (kind `"lstm"`: 0) |
    /// | `memory_rows` | integer | 128 (kind `"lstm"`: 0) | 1 … 65536 (kind `"lstm"`: 0 … 65536, unused) |
    /// | `memory_width` | integer | 20 (kind `"lstm"`: 0) | 1 … 4096, with memory_rows × memory_width ≤ 2^24 (kind `"lstm"`: 0 … 4096, unused) |
    /// | `shift_range` | integer | 1 (kind `"lstm"`: 0) | 0 … (memory_rows − 1) / 2, i.e. 2·S+1 ≤ memory_rows (kind `"lstm"`: 0 … 65536, unused) |
    /// | `initial_memory` | string | `"constant"` | `"constant"`, `"learned"` or `"random"` |
    /// | `initial_memory_value` | number | 1e-6 | any finite number (used by `"constant"`) |
    /// | `add_activation` | string | `"linear"` | `"linear"` or `"tanh"` |
    /// | `initial_weighting` | string | `"focused"` | `"focused"` (every head's initial weighting on location 0) or `"random"` (logits uniform ±1); how the learned `w_0` starts |
    ///
    /// The defaults for kind `"lstm"` are those of `ModelConfig.lstmBaseline`.
    /// Integers may be written as `3` or `3.0` but not `2.5` or `"3"`.
    /// Throws a `ConfigError` naming the first offending field.
    public init(json: JSONValue) throws(ConfigError) {
        let fields = try ConfigFields(json, known: Self.jsonFields, what: "config")
        let limit = Self.maxDimension

        let kind = try fields.choice("kind", default: Kind.ntm)
        let inputSize = try fields.requiredInteger("input_size", range: 1...limit)
        let outputSize = try fields.requiredInteger("output_size", range: 1...limit)
        // Start from the kind's own defaults, then overwrite what is given.
        var config = kind == .lstm
            ? ModelConfig.lstmBaseline(inputSize: inputSize, outputSize: outputSize, layers: [100])
            : ModelConfig(kind: .ntm, inputSize: inputSize, outputSize: outputSize)

        config.controller = try fields.choice("controller", default: config.controller)
        if kind == .lstm && config.controller != .lstm {
            throw fields.error("controller", "must be \"lstm\" when kind is \"lstm\" (the LSTM baseline "
                               + "is a stack of LSTM layers), got \"\(config.controller.rawValue)\"")
        }
        config.controllerLayers = try fields.integerArray("controller_layers", default: config.controllerLayers,
                                                          count: 1...8, range: 1...4096)
        switch kind {
        case .ntm:
            config.readHeads = try fields.integer("read_heads", default: config.readHeads, range: 1...64)
            config.writeHeads = try fields.integer("write_heads", default: config.writeHeads, range: 1...64)
            config.memoryRows = try fields.integer("memory_rows", default: config.memoryRows, range: 1...limit)
            config.memoryWidth = try fields.integer("memory_width", default: config.memoryWidth, range: 1...4096)
            let maxWidth = (1 << 24) / config.memoryRows
            if config.memoryWidth > maxWidth {
                throw fields.expected("memory_width", "at most \(maxWidth) with memory_rows = \(config.memoryRows) "
                                      + "(memory_rows × memory_width must not exceed 2^24)",
                                      got: .number(Double(config.memoryWidth)))
            }
            let maxShift = (config.memoryRows - 1) / 2
            if fields.value("shift_range") == nil && config.shiftRange > maxShift {
                throw fields.error("shift_range", "defaults to \(config.shiftRange), which needs memory_rows ≥ "
                                   + "\(2 * config.shiftRange + 1); give shift_range: \(maxShift) for memory_rows = "
                                   + "\(config.memoryRows)")
            }
            config.shiftRange = try fields.integer(
                "shift_range", default: config.shiftRange, range: 0...maxShift,
                rule: "an integer from 0 to \(maxShift) (2 × shift_range + 1 must not exceed memory_rows = "
                    + "\(config.memoryRows))")
        case .lstm:
            let noHeads = "0 when kind is \"lstm\" (the LSTM baseline has no heads)"
            config.readHeads = try fields.integer("read_heads", default: 0, range: 0...0, rule: noHeads)
            config.writeHeads = try fields.integer("write_heads", default: 0, range: 0...0, rule: noHeads)
            // Unused by the baseline, but kept so that any valid config round-trips.
            config.memoryRows = try fields.integer("memory_rows", default: 0, range: 0...limit)
            config.memoryWidth = try fields.integer("memory_width", default: 0, range: 0...4096)
            config.shiftRange = try fields.integer("shift_range", default: 0, range: 0...limit)
        }
        config.initialMemory = try fields.choice("initial_memory", default: config.initialMemory)
        config.initialMemoryValue = try fields.number(
            "initial_memory_value", default: config.initialMemoryValue, rule: "a number from -1e6 to 1e6") {
                abs($0) <= ModelConfig.initialMemoryLimit
            }
        config.addActivation = try fields.choice("add_activation", default: config.addActivation)
        config.initialWeighting = try fields.choice("initial_weighting", default: config.initialWeighting)

        // The field checks above mirror `validationError`; this is the
        // backstop that keeps the two from drifting apart silently.
        if let problem = config.validationError() { throw ConfigError("invalid config: \(problem)") }
        self = config
    }

    /// A model config from JSON text; see `init(json:)`. Syntax errors are
    /// reported with their line and column.
    public init(jsonText: String) throws(ConfigError) {
        try self.init(json: parseConfigJSON(jsonText, what: "config"))
    }

    /// Every field, in the order of `jsonFields`. `ModelConfig(json: c.json)`
    /// equals `c` for every valid `c`.
    public var json: JSONValue {
        .object([
            (key: "kind", value: .string(kind.rawValue)),
            (key: "input_size", value: .number(Double(inputSize))),
            (key: "output_size", value: .number(Double(outputSize))),
            (key: "controller", value: .string(controller.rawValue)),
            (key: "controller_layers", value: .array(controllerLayers.map { .number(Double($0)) })),
            (key: "read_heads", value: .number(Double(readHeads))),
            (key: "write_heads", value: .number(Double(writeHeads))),
            (key: "memory_rows", value: .number(Double(memoryRows))),
            (key: "memory_width", value: .number(Double(memoryWidth))),
            (key: "shift_range", value: .number(Double(shiftRange))),
            (key: "initial_memory", value: .string(initialMemory.rawValue)),
            (key: "initial_memory_value", value: .number(initialMemoryValue)),
            (key: "add_activation", value: .string(addActivation.rawValue)),
            (key: "initial_weighting", value: .string(initialWeighting.rawValue)),
        ])
    }

    /// `json` as compact text (what checkpoints store).
    public var jsonText: String { json.serialized() }
}

// MARK: - Optimizer config

extension OptimizerConfig {
    /// The JSON field names, in the order `json` writes them.
    public static let jsonFields = [
        "kind", "learning_rate", "decay", "momentum", "epsilon", "beta1", "beta2", "clip_value", "clip_norm",
    ]

    /// An optimiser config from a JSON object.
    ///
    /// Fields (snake case; all optional; no other field is allowed):
    ///
    /// | field | type | default | allowed |
    /// | --- | --- | --- | --- |
    /// | `kind` (or `optimizer`) | string | `"rmsprop"` | `"rmsprop"` (Graves 2013, centred, ε inside the root) or `"adam"` |
    /// | `learning_rate` | number | 1e-4 (adam: 1e-3) | > 0 |
    /// | `decay` | number | 0.95 | 0 ≤ x < 1 (RMSProp's ℵ) |
    /// | `momentum` | number | 0.9 | 0 ≤ x < 1 (RMSProp's ℶ) |
    /// | `epsilon` | number | 1e-4 (adam: 1e-8) | > 0 |
    /// | `beta1` | number | 0.9 | 0 ≤ x < 1 (Adam) |
    /// | `beta2` | number | 0.999 | 0 ≤ x < 1 (Adam) |
    /// | `clip_value` | number | 10 | ≥ 0; element-wise gradient clip, 0 = none |
    /// | `clip_norm` | number | 0 | ≥ 0; global gradient-norm clip, 0 = none |
    ///
    /// `optimizer` is accepted as another name for `kind` (it reads naturally
    /// in a CLI config: `{"optimizer": "adam"}`); giving both is an error.
    /// `json` always writes `kind`. Throws a `ConfigError` naming the first
    /// offending field.
    public init(json: JSONValue) throws(ConfigError) {
        let fields = try ConfigFields(json, known: Self.jsonFields + ["optimizer"], what: "optimizer config")
        if fields.value("kind") != nil && fields.value("optimizer") != nil {
            throw fields.error("optimizer", "is another name for \"kind\"; give only one of them")
        }
        let kindField = fields.value("optimizer") != nil ? "optimizer" : "kind"
        var config = OptimizerConfig(kind: try fields.choice(kindField, default: Kind.rmsprop))

        func fraction(_ key: String, _ value: Double) throws(ConfigError) -> Double {
            try fields.number(key, default: value, rule: "a number from 0 (inclusive) to 1 (exclusive)") {
                $0 >= 0 && $0 < 1
            }
        }
        config.learningRate = try fields.number("learning_rate", default: config.learningRate,
                                                rule: "a number in (0, 1]") { $0 > 0 && $0 <= 1 }
        config.decay = try fraction("decay", config.decay)
        config.momentum = try fraction("momentum", config.momentum)
        config.epsilon = try fields.number("epsilon", default: config.epsilon, rule: "a number from 1e-30 to 1") {
            $0 >= OptimizerConfig.smallestEpsilon && $0 <= 1
        }
        config.beta1 = try fraction("beta1", config.beta1)
        config.beta2 = try fraction("beta2", config.beta2)
        config.clipValue = try fields.number("clip_value", default: config.clipValue,
                                             rule: "a number from 0 to 3.4e38 (0 turns clipping off)") {
                                                $0 >= 0 && $0 <= Double(Float.greatestFiniteMagnitude)
                                             }
        config.clipNorm = try fields.number("clip_norm", default: config.clipNorm,
                                            rule: "a number from 0 to 3.4e38 (0 turns clipping off)") {
                                                $0 >= 0 && $0 <= Double(Float.greatestFiniteMagnitude)
                                             }

        if let problem = config.validationError() { throw ConfigError("invalid optimizer config: \(problem)") }
        self = config
    }

    /// An optimiser config from JSON text; see `init(json:)`.
    public init(jsonText: String) throws(ConfigError) {
        try self.init(json: parseConfigJSON(jsonText, what: "optimizer config"))
    }

    /// Every field, in the order of `jsonFields`. `OptimizerConfig(json: c.json)`
    /// equals `c` for every valid `c`.
    public var json: JSONValue {
        .object([
            (key: "kind", value: .string(kind.rawValue)),
            (key: "learning_rate", value: .number(learningRate)),
            (key: "decay", value: .number(decay)),
            (key: "momentum", value: .number(momentum)),
            (key: "epsilon", value: .number(epsilon)),
            (key: "beta1", value: .number(beta1)),
            (key: "beta2", value: .number(beta2)),
            (key: "clip_value", value: .number(clipValue)),
            (key: "clip_norm", value: .number(clipNorm)),
        ])
    }

    /// `json` as compact text (what checkpoints store).
    public var jsonText: String { json.serialized() }
}

// MARK: - Reading fields

/// Parses JSON text, turning a syntax error into a `ConfigError` that keeps
/// its line and column.
private func parseConfigJSON(_ text: String, what: String) throws(ConfigError) -> JSONValue {
    do {
        return try JSONValue.parse(text)
    } catch {
        throw ConfigError("\(what) is not valid JSON: \(error)")
    }
}

/// The members of a config object, with typed, range-checked accessors whose
/// errors all have the form `<what> field "<name>": expected <rule>, got <value>`.
private struct ConfigFields {
    let members: [(key: String, value: JSONValue)]
    /// "config" or "optimizer config", to start messages with.
    let what: String

    init(_ json: JSONValue, known: [String], what: String) throws(ConfigError) {
        guard let members = json.object else {
            throw ConfigError("\(what) must be a JSON object, got \(Self.show(json))")
        }
        for (key, _) in members where !known.contains(key) {
            throw ConfigError("unknown \(what) field \"\(key)\"; known fields: "
                              + known.joined(separator: ", "), field: key)
        }
        self.members = members
        self.what = what
    }

    func value(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }

    func error(_ key: String, _ problem: String) -> ConfigError {
        ConfigError("\(what) field \"\(key)\" \(problem)", field: key)
    }

    func expected(_ key: String, _ rule: String, got value: JSONValue) -> ConfigError {
        ConfigError("\(what) field \"\(key)\": expected \(rule), got \(Self.show(value))", field: key)
    }

    /// A JSON value as it would appear in the file, shortened if long.
    static func show(_ value: JSONValue) -> String {
        let text = value.serialized()
        return text.count <= 40 ? text : String(text.prefix(40)) + "…"
    }

    static func integerRule(_ range: ClosedRange<Int>) -> String {
        "an integer from \(range.lowerBound) to \(range.upperBound)"
    }

    static func checkedInteger(_ value: JSONValue, range: ClosedRange<Int>) -> Int? {
        guard let n = value.int, range.contains(n) else { return nil }
        return n
    }

    func requiredInteger(_ key: String, range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let value = value(key) else {
            throw error(key, "is required: \(Self.integerRule(range))")
        }
        guard let n = Self.checkedInteger(value, range: range) else {
            throw expected(key, Self.integerRule(range), got: value)
        }
        return n
    }

    func integer(_ key: String, default fallback: Int, range: ClosedRange<Int>,
                 rule: String? = nil) throws(ConfigError) -> Int {
        guard let value = value(key) else { return fallback }
        guard let n = Self.checkedInteger(value, range: range) else {
            throw expected(key, rule ?? Self.integerRule(range), got: value)
        }
        return n
    }

    func integerArray(_ key: String, default fallback: [Int], count: ClosedRange<Int>,
                      range: ClosedRange<Int>) throws(ConfigError) -> [Int] {
        guard let value = value(key) else { return fallback }
        let rule = "an array of \(count.lowerBound) to \(count.upperBound) integers, "
            + "each from \(range.lowerBound) to \(range.upperBound)"
        guard let elements = value.array, count.contains(elements.count) else {
            throw expected(key, rule, got: value)
        }
        var result: [Int] = []
        for (i, element) in elements.enumerated() {
            guard let n = Self.checkedInteger(element, range: range) else {
                throw expected("\(key)[\(i)]", Self.integerRule(range), got: element)
            }
            result.append(n)
        }
        return result
    }

    /// A number accepted by `isAllowed`. JSON has no NaN or infinity, so
    /// every parsed number is already finite.
    func number(_ key: String, default fallback: Double, rule: String,
                _ isAllowed: (Double) -> Bool) throws(ConfigError) -> Double {
        guard let value = value(key) else { return fallback }
        guard let x = value.double, x.isFinite, isAllowed(x) else {
            throw expected(key, rule, got: value)
        }
        return x
    }

    /// One of a string enum's raw values.
    func choice<E: RawRepresentable & CaseIterable>(_ key: String, default fallback: E) throws(ConfigError) -> E
    where E.RawValue == String {
        guard let value = value(key) else { return fallback }
        guard let name = value.string, let result = E(rawValue: name) else {
            let names = E.allCases.map { "\"\($0.rawValue)\"" }
            let rule = names.count == 2 ? "\(names[0]) or \(names[1])" : "one of " + names.joined(separator: ", ")
            throw expected(key, rule, got: value)
        }
        return result
    }
}
