// op_saturation (cpu_color::saturate), HSL: S' = clamp(S k, 0, 1), k = 1 + adj/100, H and L
// kept. For fixed H and L every channel is L + S·g(H, L), so the map is computed in closed
// form: RGB' = L + (RGB − L)·S'/S (no trip through H).
#import band
#import pixel
#import color_op
#import hsl

fn apply(c: vec3<f32>, kv: vec4<f32>) -> vec3<f32> {
    let mx = max(max(c.x, c.y), c.z);
    let mn = min(min(c.x, c.y), c.z);
    if mx == mn {
        return c;
    }
    let l = (mx + mn) / 2.0;
    let s = hsl_saturation(mx, mn, l);
    let s2 = clamp(s * kv.x, 0.0, 1.0);
    return vec3<f32>(l) + (c - vec3<f32>(l)) * (s2 / s);
}
