/// The paper's five tasks, one descriptor each. Sizes and defaults follow
/// the paper (§4); the convergence criteria are ours (`ConvergenceCriterion`
/// explains them).
extension TaskDescriptor {
    /// Copy: trained on 1–20 vectors of 8 bits, tested at 10, 20, 30, 50 and 120.
    public static let copy = TaskDescriptor(
        kind: .copy,
        options: [TaskOption("width", default: 8),
                  TaskOption("min_length", default: 1),
                  TaskOption("max_length", default: 20)],
        convergence: ConvergenceCriterion(measure: .bitErrors, threshold: 0.01),
        testSizes: [10, 20, 30, 50, 120].map { TestSize($0) },
        paperNetworks: PaperNetworks(feedforwardHeads: 1, feedforwardLayers: [100], feedforwardRate: 1e-4,
                                     lstmHeads: 1, lstmLayers: [100], lstmRate: 1e-4,
                                     baselineUnits: 256, baselineRate: 3e-5)
    ) { v throws(TaskError) in
        try v.requireOrdered("min_length", "max_length")
        return CopyTask(width: v["width"], minLength: v["min_length"], maxLength: v["max_length"])
    }

    /// Repeat copy: 1–10 vectors repeated 1–10 times; tested at 10×10 (the
    /// largest trained), 10×20 and 20×10.
    public static let repeatCopy = TaskDescriptor(
        kind: .repeatCopy,
        options: [TaskOption("width", default: 8),
                  TaskOption("min_length", default: 1),
                  TaskOption("max_length", default: 10),
                  TaskOption("min_repeats", default: 1),
                  TaskOption("max_repeats", default: 10)],
        convergence: ConvergenceCriterion(measure: .bitErrors, threshold: 0.01),
        testSizes: [TestSize(10, 10), TestSize(10, 20), TestSize(20, 10)],
        paperNetworks: PaperNetworks(feedforwardHeads: 1, feedforwardLayers: [100], feedforwardRate: 1e-4,
                                     lstmHeads: 1, lstmLayers: [100], lstmRate: 1e-4,
                                     baselineUnits: 512, baselineRate: 3e-5)
    ) { v throws(TaskError) in
        try v.requireOrdered("min_length", "max_length")
        try v.requireOrdered("min_repeats", "max_repeats")
        return RepeatCopyTask(width: v["width"], minLength: v["min_length"], maxLength: v["max_length"],
                              minRepeats: v["min_repeats"], maxRepeats: v["max_repeats"])
    }

    /// Associative recall: 2–6 items of 3 vectors; tested at 6 (the most
    /// trained on), 8, 10, 12, 15 and 20 items.
    public static let associativeRecall = TaskDescriptor(
        kind: .associativeRecall,
        options: [TaskOption("width", default: 6),
                  TaskOption("item_length", default: 3),
                  TaskOption("min_items", default: 2, range: 2...TaskLimits.maxSize),
                  TaskOption("max_items", default: 6, range: 2...TaskLimits.maxSize)],
        convergence: ConvergenceCriterion(measure: .bitErrors, threshold: 0.01),
        testSizes: [6, 8, 10, 12, 15, 20].map { TestSize($0) },
        paperNetworks: PaperNetworks(feedforwardHeads: 4, feedforwardLayers: [256], feedforwardRate: 1e-4,
                                     lstmHeads: 1, lstmLayers: [100], lstmRate: 1e-4,
                                     baselineUnits: 256, baselineRate: 1e-4)
    ) { v throws(TaskError) in
        try v.requireOrdered("min_items", "max_items")
        return AssociativeRecallTask(width: v["width"], itemLength: v["item_length"],
                                     minItems: v["min_items"], maxItems: v["max_items"])
    }

    /// Dynamic N-grams: 200-bit sequences of 6-grams, tested as trained.
    /// Its targets are random, so the criterion is the excess over the
    /// optimal estimator's cost, not bit errors.
    public static let dynamicNGrams = TaskDescriptor(
        kind: .dynamicNGrams,
        options: [TaskOption("order", default: 6, range: 2...16),
                  TaskOption("length", default: 200)],
        convergence: ConvergenceCriterion(measure: .excessCost, threshold: 2),
        testSizes: [TestSize(200)],
        paperNetworks: PaperNetworks(feedforwardHeads: 1, feedforwardLayers: [100], feedforwardRate: 3e-5,
                                     lstmHeads: 1, lstmLayers: [100], lstmRate: 3e-5,
                                     baselineUnits: 128, baselineRate: 1e-4,
                                     feedforwardMemory: .learned)
    ) { v throws(TaskError) in
        DynamicNGramTask(order: v["order"], length: v["length"])
    }

    /// Priority sort: the 16 highest-priority of 20 vectors, tested as
    /// trained (the paper has no generalisation test for it). Nearly equal
    /// priorities make a few swaps unavoidable, so it converges below 1 bit
    /// error per sequence.
    public static let prioritySort = TaskDescriptor(
        kind: .prioritySort,
        options: [TaskOption("width", default: 8),
                  TaskOption("input_count", default: 20),
                  TaskOption("output_count", default: 16)],
        convergence: ConvergenceCriterion(measure: .bitErrors, threshold: 1),
        testSizes: [TestSize(20, 16)],
        paperNetworks: PaperNetworks(feedforwardHeads: 8, feedforwardLayers: [512], feedforwardRate: 3e-5,
                                     lstmHeads: 5, lstmLayers: [100, 100], lstmRate: 3e-5,
                                     baselineUnits: 128, baselineRate: 3e-5,
                                     feedforwardMemory: .learned)
    ) { v throws(TaskError) in
        try v.requireOrdered("output_count", "input_count")
        return PrioritySortTask(width: v["width"], inputCount: v["input_count"], outputCount: v["output_count"])
    }
}
