// RGBA8 pixels packed in one u32 (r in the low byte), and the alpha arithmetic shared with
// the CPU executor (fast_image_resize's integer premultiply / divide, bit for bit).

fn unpack(p: u32) -> vec4<u32> {
    return vec4<u32>(p & 0xffu, (p >> 8u) & 0xffu, (p >> 16u) & 0xffu, p >> 24u);
}

fn pack(c: vec4<u32>) -> u32 {
    let v = min(c, vec4<u32>(255u));
    return v.x | (v.y << 8u) | (v.z << 16u) | (v.w << 24u);
}

// round(c * a / 255) exactly as fast_image_resize's mul_div_255.
fn mul_div_255(c: vec3<u32>, a: u32) -> vec3<u32> {
    let t = c * a + vec3<u32>(128u);
    return ((t >> vec3<u32>(8u)) + t) >> vec3<u32>(8u);
}

fn premultiply_u8(p: vec4<u32>) -> vec4<u32> {
    return vec4<u32>(mul_div_255(p.xyz, p.w), p.w);
}

// fast_image_resize's divide_alpha: c * round(255 * 2^8 / a) with rounding, clipped to 255.
fn unpremultiply_u8(p: vec4<u32>) -> vec4<u32> {
    if (p.w == 0u) {
        return vec4<u32>(0u);
    }
    let recip = ((255u * 512u) / p.w + 1u) >> 1u;
    let c = min((p.xyz * recip + vec3<u32>(128u)) >> vec3<u32>(8u), vec3<u32>(255u));
    return vec4<u32>(c, p.w);
}

// Float premultiplied RGBA as the CPU affine uses it: rgb scaled by a/255, alpha kept 0..255.
fn premultiply_f32(p: vec4<u32>) -> vec4<f32> {
    let c = vec4<f32>(p);
    let a = c.w / 255.0;
    return vec4<f32>(c.xyz * a, c.w);
}

fn unpremultiply_f32(p: vec4<f32>) -> vec4<u32> {
    let a = p.w;
    if (a <= 0.0) {
        return vec4<u32>(0u);
    }
    let k = 255.0 / a;
    let rgb = clamp(p.xyz * k + vec3<f32>(0.5), vec3<f32>(0.0), vec3<f32>(255.0));
    return vec4<u32>(vec3<u32>(rgb), u32(clamp(a + 0.5, 0.0, 255.0)));
}
