/// How `ntm reproduce` scores a job on a task: in its progress lines, in
/// choosing a network's best seed, and in RESULTS.md's charts and tables.
enum ReproduceMeasure: Sendable {
    /// Bit errors per sequence (the cost only breaks ties).
    case bitErrors
    /// Cost above the optimal Bayesian estimator: the targets are random,
    /// so bit errors say nothing (dynamic N-grams).
    case excessCost
    /// Cost per sequence, with bit errors beside it: a few swaps of nearly
    /// equal priorities are unavoidable (priority sort).
    case cost

    /// The headline of a finished job from its evaluation row at the
    /// largest training size.
    func headline(_ row: ReproduceEvalRow) -> String {
        switch self {
        case .bitErrors: return "\(fixed(row.bitErrors, 3)) bit errors/seq at \(row.size)"
        case .excessCost: return "\(fixed(row.excessBits ?? .nan, 2)) bits/seq above optimal at \(row.size) bits"
        case .cost: return "cost \(fixed(row.lossBits, 2)) bits/seq, \(fixed(row.bitErrors, 2)) bit errors at \(row.size)"
        }
    }
}
