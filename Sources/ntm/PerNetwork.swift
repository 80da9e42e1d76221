/// One value for each of the paper's three networks: a per-network fact in
/// `TaskPresentation` cannot leave a network out.
struct PerNetwork<Value> {
    var ntmFeedforward: Value
    var ntmLSTM: Value
    var lstm: Value

    subscript(network: NetworkName) -> Value {
        switch network {
        case .ntmFeedforward: return ntmFeedforward
        case .ntmLSTM: return ntmLSTM
        case .lstm: return lstm
        }
    }

    /// The value for a network given by name, nil for an unknown name.
    subscript(name: String) -> Value? {
        NetworkName(rawValue: name).map { self[$0] }
    }
}

extension PerNetwork: Sendable where Value: Sendable {}
