/// What an evaluation does with the network's outputs: most callers want
/// only the cost and the bit errors, some want each sequence's outputs, and
/// the C API wants them in the caller's padded buffer without an array per
/// sequence in between.
public enum EvaluationOutputs: @unchecked Sendable {
    /// Not kept: `SequenceEvaluation.outputs` is empty.
    case dropped
    /// In each `SequenceEvaluation.outputs`.
    case kept
    /// Written to `buffer`, padded to `maxLength` steps and sequence-major:
    /// sequence `i`, step `t` at `buffer[(i * maxLength + t) * outputSize]`,
    /// zero past each sequence's length (`batch × maxLength × outputSize`
    /// floats, which the caller owns). `SequenceEvaluation.outputs` is empty.
    case padded(UnsafeMutablePointer<Float>, maxLength: Int)
}
