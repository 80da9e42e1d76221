import ArgumentParser
import Foundation
import NTM

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a model on one sequence as an SVG picture.",
        discussion: """
        Draws, in the style of the paper's figures, one fresh sequence: inputs, targets, the model's \
        outputs (on the steps that are scored), each head's write and read weighting over time, the \
        read vectors, and the memory after the last step. The title names the task, the network, the \
        size, the bit errors and the cost.
        """)

    @Argument(help: ArgumentHelp("A model written by 'ntm train' (model.safetensors).", valueName: "model"))
    var model: String

    @Option(help: ArgumentHelp("Size of the sequence: vectors for copy, LxR for repeat-copy, items for associative-recall, bits for dynamic-ngrams, INxOUT for priority-sort. (default: a short one from the training range)", valueName: "size"))
    var length: TestSize?

    @Option(help: "Seed of the sequence.")
    var seed: UInt64 = 1

    @Option(name: [.short, .long], help: ArgumentHelp("The SVG file to write. (default: <task>-<size>.svg beside the model)", valueName: "file"))
    var output: String?

    @Option(help: "The task, for a model file that does not record it.")
    var task: TaskKind?

    func validate() throws {
        if output?.isEmpty == true { throw ValidationError("--output must not be empty") }
    }

    func run() throws {
        let file = try ModelFile.load(model, taskOverride: task?.rawValue)
        let trainingTask = try file.makeTask()
        let size = length ?? trainingTask.pictureSize
        let run = try SequenceRun.record(network: file.network, task: trainingTask, taskKind: file.taskKind,
                                         networkName: file.networkDescription, size: size, seed: seed)
        let path = output ?? (model as NSString).deletingLastPathComponent
            .appendingPathComponent("\(file.taskKind)-\(size).svg", relativeTo: model)
        try writeText(run.picture.svg(), to: path)
        say("wrote \(path): \(run.picture.title)")
    }
}

private extension String {
    /// `self` joined with `name`, or just `name` if `self` is empty (a model in the current directory).
    func appendingPathComponent(_ name: String, relativeTo _: String) -> String {
        isEmpty ? name : (self as NSString).appendingPathComponent(name)
    }
}
