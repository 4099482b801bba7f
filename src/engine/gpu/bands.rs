//! Splitting a dispatch so that every buffer binding fits the adapter's
//! `max_storage_buffer_binding_size`: a binding covers whole rows of an image (aligned down to
//! `min_storage_buffer_offset_alignment`), and the output rectangle is halved (rows, or columns
//! for kernels whose input rows depend on the column, i.e. `affine`) until input and output
//! windows fit. Shaders index with global coordinates minus the window's first element.

use super::plan::Limits;
use super::shaders::Band;
use crate::engine::EngineError;

/// A rectangle of output pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x0: u32,
    pub y0: u32,
    pub w: u32,
    pub h: u32,
}

impl Rect {
    /// The shader-side band header for this rectangle.
    pub fn band(&self, in_stride: u32, out_stride: u32, in_base: u32, out_base: u32) -> Band {
        Band {
            x0: self.x0,
            y0: self.y0,
            w: self.w,
            h: self.h,
            in_stride,
            out_stride,
            in_base,
            out_base,
        }
    }
}

/// Bytes `offset .. offset + size` of a buffer; `base` = `offset / 4` (first pixel bound).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Window {
    pub offset: u64,
    pub size: u64,
    pub base: u32,
}

impl Window {
    /// Rows `r0 .. r1` of an image with `stride` pixels per row.
    pub fn rows(stride: u32, r0: u32, r1: u32, align: u64) -> Window {
        let start = r0 as u64 * stride as u64 * 4;
        let offset = start - start % align.max(4);
        let size = (r1.max(r0 + 1) as u64 * stride as u64 * 4 - offset).max(4);
        Window {
            offset,
            size,
            base: (offset / 4) as u32,
        }
    }
}

/// Splits the `w × h` output into rectangles whose input rows (`rows(rect)`, in an image of
/// `in_stride` pixels per row) and output rows (`out_stride`; `None` when the kernel writes no
/// image) fit in one binding each. `columns`: the input rows depend on the columns too.
pub fn bands(
    w: u32,
    h: u32,
    in_stride: u32,
    out_stride: Option<u32>,
    columns: bool,
    limits: Limits,
    rows: &dyn Fn(Rect) -> (u32, u32),
) -> Result<Vec<(Rect, Window, Window)>, EngineError> {
    let mut out = Vec::new();
    let mut todo = vec![Rect { x0: 0, y0: 0, w, h }];
    while let Some(r) = todo.pop() {
        let (r0, r1) = rows(r);
        let win_in = Window::rows(in_stride, r0, r1, limits.storage_align);
        let win_out = match out_stride {
            Some(s) => Window::rows(s, r.y0, r.y0 + r.h, limits.storage_align),
            None => Window::default(),
        };
        if win_in.size <= limits.max_binding && win_out.size <= limits.max_binding {
            out.push((r, win_in, win_out));
            continue;
        }
        let split_cols = columns && r.w >= 2 && (r.w > r.h || r.h < 2);
        if split_cols {
            let half = r.w / 2;
            todo.push(Rect {
                x0: r.x0 + half,
                w: r.w - half,
                ..r
            });
            todo.push(Rect { w: half, ..r });
        } else if r.h >= 2 {
            let half = r.h / 2;
            todo.push(Rect {
                y0: r.y0 + half,
                h: r.h - half,
                ..r
            });
            todo.push(Rect { h: half, ..r });
        } else {
            return Err(EngineError::Gpu(format!(
                "a {}x{} region needs a {} byte binding; the adapter allows {}",
                r.w,
                r.h,
                win_in.size.max(win_out.size),
                limits.max_binding
            )));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: Limits = Limits {
        max_binding: 4096,
        storage_align: 256,
        max_groups: 65535,
        max_buffer: 1 << 30,
    };

    #[test]
    fn small_images_are_one_band() {
        let b = bands(10, 10, 10, Some(10), false, L, &|r: Rect| {
            (r.y0, r.y0 + r.h)
        })
        .unwrap();
        assert_eq!(b.len(), 1);
        assert_eq!(
            b[0].1,
            Window {
                offset: 0,
                size: 400,
                base: 0
            }
        );
    }

    #[test]
    fn bands_cover_every_row_once_and_fit() {
        let b = bands(100, 77, 100, Some(100), false, L, &|r: Rect| {
            (r.y0, r.y0 + r.h)
        })
        .unwrap();
        assert!(b.len() > 1);
        let mut rows: Vec<u32> = b.iter().flat_map(|(r, _, _)| r.y0..r.y0 + r.h).collect();
        rows.sort();
        assert_eq!(rows, (0..77).collect::<Vec<_>>());
        for (r, i, o) in &b {
            assert!(i.size <= 4096 && o.size <= 4096 && i.offset % 256 == 0);
            assert!(
                i.offset <= r.y0 as u64 * 400 && i.offset + i.size >= (r.y0 + r.h) as u64 * 400
            );
        }
    }

    #[test]
    fn transposed_access_splits_columns() {
        // Output rows read input columns (a 90° rotation): only column splits help.
        let rows = |r: Rect| (r.x0, r.x0 + r.w);
        let b = bands(64, 64, 64, Some(64), true, L, &rows).unwrap();
        let area: u32 = b.iter().map(|(r, _, _)| r.w * r.h).sum();
        assert_eq!(area, 64 * 64);
        assert!(b.iter().all(|(_, i, o)| i.size <= 4096 && o.size <= 4096));
        assert!(bands(64, 64, 64, Some(64), false, L, &rows).is_err());
    }
}
