import NTM
import NTMPlot

/// What a network did on one sequence, recorded step by step, and its
/// picture in the paper's style.
struct SequenceRun {
    var task: TaskKind
    var network: String
    var size: TestSize
    var sequence: TaskSequence
    var lossBits: Double
    var bitErrors: Int
    var picture: SequencePicture

    /// Runs `network` over one fresh sequence of `size` drawn from `task`
    /// with `seed`.
    static func record(network: Network<Float>, task: any SizedTask, taskKind: TaskKind, networkName: String,
                       size: TestSize, seed: UInt64) throws -> SequenceRun {
        var rng = SeededGenerator(seed: seed)
        let sequence: TaskSequence
        do {
            sequence = try GeneralisationTests.sample(task, size: size, using: &rng)
        } catch {
            throw CLIError(error.message)
        }
        let result = Evaluator(network: network).evaluate(sequence)

        let config = network.config
        let stream = InferenceStream(network: network)
        let hasMemory = config.kind == .ntm
        let writes = hasMemory ? config.writeHeads : 0, readsCount = hasMemory ? config.readHeads : 0
        var writeSteps = [[[Float]]](repeating: [], count: writes)
        var readSteps = [[[Float]]](repeating: [], count: readsCount)
        var readVectors = [[[Float]]](repeating: [], count: readsCount)
        var outputs: [Float] = []
        outputs.reserveCapacity(sequence.length * sequence.outputSize)
        for t in 0..<sequence.length {
            let start = t * sequence.inputSize
            let y = stream.step(Array(sequence.inputs[start..<start + sequence.inputSize]))
            // Outputs are drawn where they are scored (the masked steps), as
            // in the paper's figures; elsewhere they carry no meaning.
            let scored = sequence.mask[t] != 0
            outputs.append(contentsOf: y.map { scored ? $0 : 0 })
            for h in 0..<writes { writeSteps[h].append(Array(stream.weighting(head: h))) }
            for h in 0..<readsCount {
                readSteps[h].append(Array(stream.weighting(head: writes + h)))
                let m = config.memoryWidth
                readVectors[h].append(Array(stream.reads[h * m..<(h + 1) * m]))
            }
        }
        var memory: Matrix? = nil
        if hasMemory {
            memory = Matrix(rows: config.memoryRows, columns: config.memoryWidth, values: Array(stream.memory))
        }
        let title = "\(taskKind) · \(networkName) · \(taskKind.presentation.describeSize(size)) · "
            + "\(result.bitErrors) bit error\(result.bitErrors == 1 ? "" : "s") · cost \(fixed(result.lossBits, 2)) bits"
        let steps = sequence.length
        var picture = SequencePicture(
            title: title,
            inputs: Matrix(stepMajor: sequence.inputs, steps: steps, width: sequence.inputSize),
            targets: Matrix(stepMajor: sequence.targets, steps: steps, width: sequence.outputSize),
            outputs: Matrix(stepMajor: outputs, steps: steps, width: sequence.outputSize),
            writeWeightings: writeSteps.map { Matrix(steps: $0) },
            readWeightings: readSteps.map { Matrix(steps: $0) },
            reads: readVectors.map { Matrix(steps: $0) },
            memory: memory)
        // Runs of equal cells as one rectangle: the same picture, files several times smaller.
        picture.mergesEqualCells = true
        return SequenceRun(task: taskKind, network: networkName, size: size, sequence: sequence,
                           lossBits: result.lossBits, bitErrors: result.bitErrors, picture: picture)
    }
}

/// One row of curve.csv: means over the sequences since the previous row.
struct CurveRow {
    var sequences: Int
    var lossBits: Double
    var bitErrors: Double
    var seconds: Double
    /// Dynamic N-grams only: the optimal estimator's cost on the same sequences.
    var optimalBits: Double?

    static func header(optimal: Bool) -> String {
        "sequences,loss_bits,bit_errors,seconds" + (optimal ? ",optimal_bits" : "")
    }

    var csv: String {
        var line = "\(sequences),\(Self.number(lossBits)),\(Self.number(bitErrors)),\(Self.number(seconds, 3))"
        if let optimalBits { line += ",\(Self.number(optimalBits))" }
        return line
    }

    static func number(_ x: Double, _ decimals: Int = 6) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        var s = fixed(x, decimals)
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    /// Parses curve.csv (as written by `train`), for resuming.
    static func parse(_ text: String) -> [CurveRow]? {
        var lines = text.split(whereSeparator: \.isNewline)
        guard let header = lines.first, header.hasPrefix("sequences,loss_bits,bit_errors,seconds") else { return nil }
        lines.removeFirst()
        var rows: [CurveRow] = []
        for line in lines {
            let fields = line.split(separator: ",").map { Double($0) }
            guard fields.count >= 4, fields.allSatisfy({ $0 != nil }), let n = fields[0], n >= 0 else { return nil }
            rows.append(CurveRow(sequences: Int(n), lossBits: fields[1]!, bitErrors: fields[2]!, seconds: fields[3]!,
                                 optimalBits: fields.count > 4 ? fields[4] : nil))
        }
        return rows
    }
}

/// The learning curve of a run: cost and bit errors per sequence against
/// sequences seen (and the optimal cost for the N-gram task), averaged into
/// at most `maxPoints` points so that long runs give small files.
func learningCurveSVG(rows: [CurveRow], title: String, maxPoints: Int = 400) -> String {
    var binned: [CurveRow] = []
    let per = max(1, (rows.count + maxPoints - 1) / maxPoints)
    var i = 0
    while i < rows.count {
        let chunk = rows[i..<min(i + per, rows.count)]
        // Weighted by the sequences each row covers.
        var previous = i == 0 ? 0 : rows[i - 1].sequences
        var weight = 0.0, loss = 0.0, errors = 0.0, optimal = 0.0
        for row in chunk {
            let w = Double(max(row.sequences - previous, 1))
            previous = row.sequences
            weight += w
            loss += w * row.lossBits
            errors += w * row.bitErrors
            optimal += w * (row.optimalBits ?? 0)
        }
        binned.append(CurveRow(sequences: chunk.last!.sequences, lossBits: loss / weight, bitErrors: errors / weight,
                               seconds: chunk.last!.seconds,
                               optimalBits: chunk.last!.optimalBits == nil ? nil : optimal / weight))
        i += per
    }
    var series = [
        LearningCurve.Series(name: "cost (bits per sequence)",
                             points: binned.map { (Double($0.sequences), $0.lossBits) }),
    ]
    if binned.contains(where: { $0.optimalBits != nil }) {
        series.append(LearningCurve.Series(name: "optimal estimator (bits per sequence)",
                                           points: binned.map { (Double($0.sequences), $0.optimalBits ?? .nan) }))
    } else {
        series.append(LearningCurve.Series(name: "bit errors per sequence",
                                           points: binned.map { (Double($0.sequences), $0.bitErrors) }))
    }
    return LearningCurve(title: title, xLabel: "sequences seen", yLabel: "per sequence", series: series).svg()
}

