/// The paper's three networks for one task (Graves et al. 2014, tables
/// 1–3): heads, controller layers and learning rate of the two NTMs, the
/// LSTM baseline's layer size and learning rate, and our choice of initial
/// memory for the feedforward NTM. `Presets` turns them into configurations.
public struct PaperNetworks: Sendable, Equatable {
    public var feedforwardHeads: Int, feedforwardLayers: [Int], feedforwardRate: Double
    public var lstmHeads: Int, lstmLayers: [Int], lstmRate: Double
    public var baselineUnits: Int, baselineRate: Double
    /// The initial memory (ours; the paper does not say). Constant 1e-6
    /// (Collier & Beel's best) where the heads find their places by
    /// shifting from a common start or by content they wrote themselves:
    /// copy, repeat copy, associative recall. Learned where a head must
    /// address a place by content before anything is written there: a
    /// feedforward NTM on N-grams has to find the counts of a five-bit
    /// context, and on priority sort has to write each vector at a place
    /// set by its priority. With a constant memory every row looks the same
    /// to a key. Seed 1, the default optimisers (docs/experiments): on
    /// N-grams the constant memory was still 27 bits above the optimum at
    /// 300k sequences (43–54 through 327k with RMSProp 3e-5), the learned
    /// one 6.3 at 280k; on priority sort 92 bits at 60k against 68. The
    /// NTM-LSTM keeps the constant memory: with a learned one it was no
    /// better on priority sort, and on N-grams it fell faster but then
    /// collapsed for 40k sequences.
    public var feedforwardMemory: ModelConfig.InitialMemory

    public init(feedforwardHeads: Int, feedforwardLayers: [Int], feedforwardRate: Double,
                lstmHeads: Int, lstmLayers: [Int], lstmRate: Double,
                baselineUnits: Int, baselineRate: Double,
                feedforwardMemory: ModelConfig.InitialMemory = .constant) {
        self.feedforwardHeads = feedforwardHeads
        self.feedforwardLayers = feedforwardLayers
        self.feedforwardRate = feedforwardRate
        self.lstmHeads = lstmHeads
        self.lstmLayers = lstmLayers
        self.lstmRate = lstmRate
        self.baselineUnits = baselineUnits
        self.baselineRate = baselineRate
        self.feedforwardMemory = feedforwardMemory
    }
}
