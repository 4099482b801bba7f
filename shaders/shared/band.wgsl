// The output rectangle one dispatch covers, and where its buffer bindings start.
// Mirrored by `engine::gpu::shaders::Band`. Pixel coordinates are global (whole image); a
// binding holds the pixels from element `*_base` of the whole buffer on, so the pixel at
// (x, y) of an image with row stride `s` is element `y * s + x - base` of the binding.
struct Band {
    x0: u32,
    y0: u32,
    w: u32,
    h: u32,
    in_stride: u32,
    out_stride: u32,
    in_base: u32,
    out_base: u32,
}

const WG: u32 = 16u;
