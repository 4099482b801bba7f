//! The standard transform mix of the load benchmark (issue 5): each transform's `urlModifier`
//! for a given source, and the manifest that tells `benches/peers/run.py` the same thing.

use super::images::Source;
use serde_json::{json, Value};

/// The transforms, in report order: (name, what it is).
pub const TRANSFORMS: [(&str, &str); 4] = [
    ("thumbnail", "wid=800&hei=600&fit=constrain&fmt=jpeg&qlt=85"),
    (
        "crop_rotate",
        "crop=<centre 3/4>&rotate=90&wid=1200&fmt=jpeg",
    ),
    (
        "color_usm",
        "op_brightness=10&op_saturation=20&op_usm=1,2,5,0&wid=1600&fmt=jpeg",
    ),
    ("png_alpha", "fmt=png-alpha"),
];

/// The centre three quarters of a source: (x, y, w, h) in pixels.
pub fn crop_rect(s: &Source) -> (u32, u32, u32, u32) {
    (s.width / 8, s.height / 8, s.width * 3 / 4, s.height * 3 / 4)
}

/// The `urlModifier` of `transform` for `source`.
pub fn modifier(transform: &str, s: &Source) -> String {
    match transform {
        "crop_rotate" => {
            let (x, y, w, h) = crop_rect(s);
            format!("crop={x},{y},{w},{h}&rotate=90&wid=1200&fmt=jpeg")
        }
        other => TRANSFORMS
            .iter()
            .find(|(n, _)| *n == other)
            .map(|(_, m)| m.to_string())
            .unwrap_or_else(|| panic!("unknown transform {other}")),
    }
}

/// The image set and every transform's modifiers, for the peer script.
pub fn manifest(set: &[Source]) -> Value {
    let images: Vec<Value> = set
        .iter()
        .map(|s| {
            let (x, y, w, h) = crop_rect(s);
            json!({
                "name": s.name,
                "file": s.path.file_name().unwrap().to_string_lossy(),
                "width": s.width,
                "height": s.height,
                "crop": [x, y, w, h],
            })
        })
        .collect();
    let transforms: Vec<Value> = TRANSFORMS
        .iter()
        .map(|(t, _)| {
            let mods: serde_json::Map<String, Value> = set
                .iter()
                .map(|s| (s.name.to_string(), Value::from(modifier(t, s))))
                .collect();
            json!({ "name": t, "modifiers": mods })
        })
        .collect();
    json!({ "images": images, "transforms": transforms })
}
