/// The repeat-copy task (paper §4.2): `L` random `width`-bit vectors, then a
/// delimiter together with the repeat count `R`; the network must emit the
/// sequence `R` times and then signal that it is done on an extra output
/// channel. The end marker is what makes the task hard: the network has to
/// count, not just loop.
///
/// Input channels (`width + 2`):
/// - `0..<width`: the data bits, on steps `0..<L`;
/// - `width`: the delimiter, 1 on step `L`;
/// - `width + 1`: the repeat count on step `L`, normalised to mean 0 and
///   variance 1 over the *training* range of counts, so that the scalar has a
///   sensible scale for the controller whatever the range is.
///
/// Output channels (`width + 1`):
/// - `0..<width`: the data repeated `R` times, on steps `L + 1 ..< L + 1 + R·L`;
/// - `width`: the end marker, 1 on step `L + 1 + R·L`.
///
/// Total length `L + 1 + R·L + 1`; the mask covers every step from `L + 1` to
/// the end marker inclusive, so the network is also penalised for emitting
/// the marker early (a zero target on the marker channel).
public struct RepeatCopyTask: SequenceTask {
    public var width: Int
    public var minLength: Int
    public var maxLength: Int
    public var minRepeats: Int
    public var maxRepeats: Int

    public init(width: Int = 8, minLength: Int = 1, maxLength: Int = 10,
                minRepeats: Int = 1, maxRepeats: Int = 10) {
        precondition(width >= 1 && minLength >= 1 && maxLength >= minLength,
                     "repeat-copy task needs width ≥ 1 and 1 ≤ minLength ≤ maxLength")
        precondition(minRepeats >= 1 && maxRepeats >= minRepeats,
                     "repeat-copy task needs 1 ≤ minRepeats ≤ maxRepeats")
        self.width = width
        self.minLength = minLength
        self.maxLength = maxLength
        self.minRepeats = minRepeats
        self.maxRepeats = maxRepeats
    }

    public var inputSize: Int { width + 2 }
    public var outputSize: Int { width + 1 }
    public var maxSequenceLength: Int { Self.sequenceLength(length: maxLength, repeats: maxRepeats) }

    /// Number of steps of a sequence with `length` vectors repeated `repeats` times.
    public static func sequenceLength(length: Int, repeats: Int) -> Int {
        length + 1 + repeats * length + 1
    }

    /// The value put on the repeat-count channel for `repeats`: the count
    /// standardised with the mean and variance of the discrete uniform
    /// distribution over the training range `[minRepeats, maxRepeats]`
    /// (mean `(a+b)/2`, variance `((b−a+1)² − 1)/12`). Counts outside the
    /// training range map outside the training values, as they should for a
    /// generalisation test. With a single training count the variance is 0,
    /// so the count is only centred.
    public func normalisedRepeatCount(_ repeats: Int) -> Float {
        let a = Double(minRepeats), b = Double(maxRepeats)
        let mean = (a + b) / 2
        let span = b - a + 1
        let variance = (span * span - 1) / 12
        let centred = Double(repeats) - mean
        if variance == 0 { return Float(centred) }
        return Float(centred / variance.squareRoot())
    }

    public func sample(using rng: inout SeededGenerator) -> TaskSequence {
        let length = rng.integer(in: minLength...maxLength)
        let repeats = rng.integer(in: minRepeats...maxRepeats)
        return sample(length: length, repeats: repeats, using: &rng)
    }

    /// A sequence of exactly `length` vectors repeated `repeats` times; either
    /// may lie outside the training range (generalisation tests). The count
    /// is still normalised with the training range.
    public func sample(length: Int, repeats: Int, using rng: inout SeededGenerator) -> TaskSequence {
        precondition(length >= 1 && repeats >= 0, "repeat-copy needs length ≥ 1 and repeats ≥ 0")
        var seq = TaskSequence(length: Self.sequenceLength(length: length, repeats: repeats),
                               inputSize: inputSize, outputSize: outputSize)
        let firstOutput = length + 1
        for step in 0..<length {
            for bit in 0..<width {
                let value: Float = rng.bit() ? 1 : 0
                seq[input: step, bit] = value
                for copy in 0..<repeats {
                    seq[target: firstOutput + copy * length + step, bit] = value
                }
            }
        }
        seq[input: length, width] = 1
        seq[input: length, width + 1] = normalisedRepeatCount(repeats)
        let endMarker = firstOutput + repeats * length
        seq[target: endMarker, width] = 1
        for step in firstOutput...endMarker { seq.mask[step] = 1 }
        return seq
    }
}

// MARK: - The end marker, read apart from the data

extension RepeatCopyTask {
    /// What a network did on one sequence, with the end marker counted apart
    /// from the data: the paper's NTM copies sequences with more repeats than
    /// it was trained on but misplaces the marker beyond about 11 repeats,
    /// and a single bit-error count cannot tell those two failures apart.
    public struct EndMarkerReading: Sendable, Equatable {
        /// Bit errors on the data channels over the answer steps.
        public var dataBitErrors: Int
        /// Bit errors on the marker channel over the answer steps (a marker
        /// raised early, raised again, or not raised where it belongs).
        public var markerBitErrors: Int
        /// The first answer step with the marker raised, relative to the step
        /// it belongs on (negative: early); nil if it is never raised.
        public var firstMarkerOffset: Int?
    }

    /// Reads `outputs` (probabilities, step-major, as `Evaluator` returns
    /// them) of a sequence this task made; an output counts as raised above ½.
    public func readEndMarker(outputs: [Float], of sequence: TaskSequence) -> EndMarkerReading {
        precondition(sequence.outputSize == outputSize && outputs.count == sequence.length * outputSize,
                     "outputs do not match a repeat-copy sequence of this task")
        var reading = EndMarkerReading(dataBitErrors: 0, markerBitErrors: 0, firstMarkerOffset: nil)
        var markerStep: Int? = nil
        for step in 0..<sequence.length where sequence.mask[step] != 0 {
            for channel in 0..<width where (outputs[step * outputSize + channel] > 0.5) != (sequence[target: step, channel] > 0.5) {
                reading.dataBitErrors += 1
            }
            let raised = outputs[step * outputSize + width] > 0.5
            if raised != (sequence[target: step, width] > 0.5) { reading.markerBitErrors += 1 }
            if raised && reading.firstMarkerOffset == nil { reading.firstMarkerOffset = step }
            if sequence[target: step, width] > 0.5 { markerStep = step }
        }
        if let first = reading.firstMarkerOffset, let markerStep { reading.firstMarkerOffset = first - markerStep }
        return reading
    }
}

/// Sizes are vectors × repeats; without a second number, the most repeats
/// trained on.
extension RepeatCopyTask: SizedTask {
    public var largestTrainingSize: TestSize { TestSize(maxLength, maxRepeats) }
    public var pictureSize: TestSize {
        TestSize(min(max(5, minLength), maxLength), min(max(3, minRepeats), maxRepeats))
    }
    public func isInTrainingRange(_ size: TestSize) -> Bool {
        (minLength...maxLength).contains(size.count) && (minRepeats...maxRepeats).contains(size.second ?? maxRepeats)
    }
    public func checkApplies(_ size: TestSize) throws(TaskError) {}
    public func steps(at size: TestSize) -> Int {
        Self.sequenceLength(length: size.count, repeats: size.second ?? maxRepeats)
    }
    public func sample(at size: TestSize, using rng: inout SeededGenerator) -> TaskSequence {
        sample(length: size.count, repeats: size.second ?? maxRepeats, using: &rng)
    }
}
