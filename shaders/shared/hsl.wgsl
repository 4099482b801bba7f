// HSL with H in turns, as Python's colorsys (and `cpu::rgb_to_hsl` / `cpu::hsl_to_rgb`).

fn fract1(x: f32) -> f32 {
    return x - floor(x);
}

// HSL saturation from the largest and smallest channel and the lightness (mx > mn).
fn hsl_saturation(mx: f32, mn: f32, l: f32) -> f32 {
    if l <= 0.5 {
        return (mx - mn) / (mx + mn);
    }
    return (mx - mn) / (2.0 - mx - mn);
}

fn rgb_to_hsl(c: vec3<f32>) -> vec3<f32> {
    let mx = max(max(c.x, c.y), c.z);
    let mn = min(min(c.x, c.y), c.z);
    let l = (mx + mn) / 2.0;
    if mx == mn {
        return vec3<f32>(0.0, 0.0, l);
    }
    let d = mx - mn;
    let s = hsl_saturation(mx, mn, l);
    var h: f32;
    if c.x == mx {
        h = (c.y - c.z) / d;
    } else if c.y == mx {
        h = 2.0 + (c.z - c.x) / d;
    } else {
        h = 4.0 + (c.x - c.y) / d;
    }
    return vec3<f32>(fract1(h / 6.0), s, l);
}

fn hsl_channel(m1: f32, m2: f32, hue_in: f32) -> f32 {
    let hue = fract1(hue_in);
    if hue < 1.0 / 6.0 {
        return m1 + (m2 - m1) * hue * 6.0;
    }
    if hue < 0.5 {
        return m2;
    }
    if hue < 2.0 / 3.0 {
        return m1 + (m2 - m1) * (2.0 / 3.0 - hue) * 6.0;
    }
    return m1;
}

fn hsl_to_rgb(hsl: vec3<f32>) -> vec3<f32> {
    let h = hsl.x;
    let s = hsl.y;
    let l = hsl.z;
    if s == 0.0 {
        return vec3<f32>(l);
    }
    var m2: f32;
    if l <= 0.5 {
        m2 = l * (1.0 + s);
    } else {
        m2 = l + s - l * s;
    }
    let m1 = 2.0 * l - m2;
    return vec3<f32>(hsl_channel(m1, m2, h + 1.0 / 3.0), hsl_channel(m1, m2, h), hsl_channel(m1, m2, h - 1.0 / 3.0));
}
