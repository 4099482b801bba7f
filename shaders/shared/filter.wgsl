// Pixel formats of the Gaussian filters (`engine::cpu_filter`): straight RGBA8 ↔
// premultiplied RGBA in 0..1, and the 16-bit unorm intermediate (two u32 per pixel).
// Needs `pixel`.

fn premul(p: u32) -> vec4<f32> {
    let c = vec4<f32>(unpack(p));
    let a = c.w / 255.0;
    return vec4<f32>(c.x / 255.0 * a, c.y / 255.0 * a, c.z / 255.0 * a, a);
}

// Premultiplied 0..1 → straight RGBA8, rounding once (`cpu_filter::straight`).
fn straight(p: vec4<f32>) -> u32 {
    let a = clamp(p.w, 0.0, 1.0);
    let a8 = floor(a * 255.0 + 0.5);
    if (a8 <= 0.0) {
        return 0u;
    }
    let c = floor(clamp(p.xyz * (1.0 / a), vec3<f32>(0.0), vec3<f32>(1.0)) * 255.0 + vec3<f32>(0.5));
    return pack(vec4<u32>(vec3<u32>(c), u32(a8)));
}

fn quantize16(v: vec2<f32>) -> u32 {
    let q = vec2<u32>(floor(clamp(v, vec2<f32>(0.0), vec2<f32>(1.0)) * 65535.0 + vec2<f32>(0.5)));
    return q.x | (q.y << 16u);
}

fn dequantize16(lo: u32, hi: u32) -> vec4<f32> {
    let q = vec4<u32>(lo & 0xffffu, lo >> 16u, hi & 0xffffu, hi >> 16u);
    return vec4<f32>(q) / 65535.0;
}
