import ArgumentParser
import Foundation
import NTM

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The `ntm` command: train, evaluate and draw the paper's experiments.
struct NTMCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ntm",
        abstract: "Neural Turing Machines: train, evaluate, draw and reproduce the paper's five experiments.",
        discussion: """
        Start with:  ntm train --task copy
        then:        ntm eval runs/copy-ntm-feedforward/model.safetensors
                     ntm show runs/copy-ntm-feedforward/model.safetensors
        All five experiments:  ntm reproduce   (--quick for a check in seconds)
        """,
        subcommands: [Train.self, Eval.self, Show.self, Reproduce.self])

    /// Runs the tool and returns its exit status. Every failure is one line
    /// on stderr, `ntm: <message>`: usage errors exit with 64 (EX_USAGE),
    /// failures while running with 1, an interrupted training with 130.
    static func execute(_ arguments: [String]) -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            return 0
        } catch let error as CLIError {
            printError(error.message)
            return 1
        } catch let code as ExitCode {
            return code.rawValue
        } catch {
            let status = exitCode(for: error)
            if status == .success {
                // --help, --version: the full text, as usual.
                say(fullMessage(for: error))
                return 0
            }
            var message = self.message(for: error)
            if message.isEmpty { message = "\(error)" }
            // One line: ArgumentParser may add hints on further lines.
            message = message.split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
            let sub = arguments.first.flatMap { name in
                configuration.subcommands.first { $0._commandName == name }?._commandName
            }
            printError(message + " (see 'ntm\(sub.map { " " + $0 } ?? "") --help')")
            return status.rawValue == 0 ? 1 : status.rawValue
        }
    }

    static func printError(_ message: String) {
        let line = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        FileHandle.standardError.write(Data(("ntm: " + line + "\n").utf8))
    }
}
