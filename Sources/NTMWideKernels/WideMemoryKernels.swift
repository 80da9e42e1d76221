/// Entry points into `MemoryKernels.swift` as compiled for AVX2; see
/// `WideKernels` for the conditions of calling them.
extension WideKernels {
    /// One write head's erase and add over the whole memory.
    @inline(never) @_semantics("optimize.no.crossmodule")
    public static func memoryWrite(previous: UnsafePointer<Float>, weighting: UnsafePointer<Float>,
                                   erase: UnsafePointer<Float>, add: UnsafePointer<Float>,
                                   rows: Int, width: Int, into memory: UnsafeMutablePointer<Float>) {
        MemoryKernels.write(previous: previous, weighting: weighting, erase: erase, add: add,
                            rows: rows, width: width, into: memory)
    }

    /// The backward pass of `memoryWrite`.
    @inline(never) @_semantics("optimize.no.crossmodule")
    public static func memoryWriteBackward(dMemory: UnsafePointer<Float>, previous: UnsafePointer<Float>,
                                           weighting: UnsafePointer<Float>, erase: UnsafePointer<Float>,
                                           add: UnsafePointer<Float>, rows: Int, width: Int,
                                           dPrevious: UnsafeMutablePointer<Float>,
                                           dWeighting: UnsafeMutablePointer<Float>,
                                           dErase: UnsafeMutablePointer<Float>, dAdd: UnsafeMutablePointer<Float>,
                                           q: UnsafeMutablePointer<Float>) {
        MemoryKernels.writeBackward(dMemory: dMemory, previous: previous, weighting: weighting, erase: erase,
                                    add: add, rows: rows, width: width, dPrevious: dPrevious,
                                    dWeighting: dWeighting, dErase: dErase, dAdd: dAdd, q: q)
    }

    /// `‖M(i)‖` for every location.
    @inline(never) @_semantics("optimize.no.crossmodule")
    public static func memoryRowNorms(_ memory: UnsafePointer<Float>, rows: Int, width: Int,
                                      into norms: UnsafeMutablePointer<Float>) {
        MemoryKernels.rowNorms(memory, rows: rows, width: width, into: norms)
    }

    /// `∂L/∂M(i, j) += a(i) k(j) − c(i) M(i, j)`.
    @inline(never) @_semantics("optimize.no.crossmodule")
    public static func memoryCosineBackward(memory: UnsafePointer<Float>, a: UnsafePointer<Float>,
                                            c: UnsafePointer<Float>, key: UnsafePointer<Float>,
                                            rows: Int, width: Int, dMemory: UnsafeMutablePointer<Float>) {
        MemoryKernels.cosineBackward(memory: memory, a: a, c: c, key: key, rows: rows, width: width,
                                     dMemory: dMemory)
    }
}
