use super::*;

/// A noisy progressive JPEG (jpeg-encoder's spectral-selection script: DC, then bands 1-20,
/// 21-41 and 42-63 per component), optionally with restart markers.
fn progressive(w: u16, h: u16, restart: u16) -> Vec<u8> {
    let px: Vec<u8> = (0..w as u32 * h as u32)
        .flat_map(|i| {
            let n = i.wrapping_mul(2_654_435_761) >> 24;
            [(i % 251) as u8 ^ n as u8, (i / w as u32 * 3) as u8, n as u8]
        })
        .collect();
    let mut out = Vec::new();
    let mut enc = jpeg_encoder::Encoder::new(&mut out, 90);
    enc.set_progressive(true);
    if restart > 0 {
        enc.set_restart_interval(restart);
    }
    enc.encode(&px, w, h, jpeg_encoder::ColorType::Rgb).unwrap();
    out
}

/// jpeg-decoder's pixels at the scale whose reduced IDCT is `idct` x `idct`.
fn decoded(b: &[u8], idct: usize) -> Vec<u8> {
    let mut d = jpeg_decoder::Decoder::new(b);
    d.read_info().unwrap();
    let info = d.info().unwrap();
    let (w, h) = (info.width as usize, info.height as usize);
    let want = |v: usize| (v * idct).div_ceil(8) as u16;
    d.scale(want(w), want(h)).unwrap();
    d.decode().unwrap()
}

/// The zig-zag order built independently, by walking the anti-diagonals.
fn zigzag() -> Vec<(usize, usize)> {
    let mut order = Vec::new();
    for s in 0..15usize {
        let cells: Vec<(usize, usize)> = (0..=s)
            .filter(|r| *r < 8 && s - r < 8)
            .map(|r| (r, s - r))
            .collect();
        if s % 2 == 0 {
            order.extend(cells.into_iter().rev());
        } else {
            order.extend(cells);
        }
    }
    order
}

#[test]
fn last_needed_is_the_corner_of_the_reduced_idct() {
    let z = zigzag();
    assert_eq!(z[..5], [(0, 0), (0, 1), (1, 0), (2, 0), (1, 1)]);
    for n in [1, 2, 4, 8] {
        let last = z.iter().rposition(|(r, c)| *r < n && *c < n).unwrap();
        assert_eq!(last_needed(n) as usize, last, "{n}x{n}");
    }
}

#[test]
fn cut_scans_leave_the_scaled_output_unchanged() {
    for (w, h, restart) in [(301, 203, 0), (64, 48, 0), (257, 130, 3), (17, 9, 1)] {
        let p = progressive(w, h, restart);
        for idct in [1, 2, 4] {
            let cut = needed_scans(&p, idct);
            assert!(
                matches!(cut, Cow::Owned(_)),
                "{w}x{h} idct {idct}: nothing cut"
            );
            assert!(cut.len() < p.len());
            assert_eq!(
                decoded(&cut, idct),
                decoded(&p, idct),
                "{w}x{h} idct {idct}"
            );
        }
        assert!(matches!(needed_scans(&p, 8), Cow::Borrowed(_)));
    }
}

#[test]
fn the_cut_follows_the_bands() {
    let p = progressive(120, 80, 0);
    let scans = progressive_scans(&p).unwrap();
    let bands: Vec<(u8, u8)> = scans.iter().map(|s| (s.ss, s.se)).collect();
    assert_eq!(bands.len(), 12, "{bands:?}");
    let kept = |idct: usize| -> Vec<(u8, u8)> {
        let s = progressive_scans(&needed_scans(&p, idct)).unwrap();
        s.iter().map(|s| (s.ss, s.se)).collect()
    };
    assert!(kept(1).iter().all(|b| *b == (0, 0)));
    assert!(kept(2).iter().all(|(ss, _)| *ss <= 4));
    assert!(kept(4).iter().all(|(ss, _)| *ss <= 24));
    assert!(kept(4).len() > kept(2).len());
}

fn scan(c: u8, ss: u8, se: u8, ah: u8) -> Scan {
    Scan {
        bytes: 0..0,
        components: vec![c],
        ss,
        se,
        ah,
    }
}

/// libjpeg's `jpeg_simple_progression` script for YCbCr: successive approximation with
/// refinement scans over bands 1-63, which need the history of every AC coefficient.
#[test]
fn refinement_over_the_needed_corner_keeps_the_component() {
    let mut dc = scan(1, 0, 0, 0);
    dc.components = vec![1, 2, 3];
    let script = [
        dc.clone(),
        scan(1, 1, 5, 0),
        scan(3, 1, 63, 0),
        scan(2, 1, 63, 0),
        scan(1, 6, 63, 0),
        scan(1, 1, 63, 2),
        Scan { ah: 1, ..dc },
        scan(3, 1, 63, 1),
        scan(2, 1, 63, 1),
        scan(1, 1, 63, 1),
    ];
    let cut = |kmax| {
        script
            .iter()
            .filter(|s| is_unneeded(s, &script, kmax))
            .count()
    };
    assert_eq!(cut(4), 0);
    assert_eq!(cut(24), 0);
    // At 1/8 only DC is read: every AC scan goes, refinements included.
    assert_eq!(cut(0), 8);
    // Without the two straddling refinements of component 1, its 6-63 scan goes at 1/4.
    let refines_y = |s: &Scan| s.components == [1] && s.ah > 0;
    let no_refine: Vec<Scan> = script.iter().filter(|s| !refines_y(s)).cloned().collect();
    let gone: Vec<&Scan> = no_refine
        .iter()
        .filter(|s| is_unneeded(s, &no_refine, 4))
        .collect();
    assert_eq!(gone, [&scan(1, 6, 63, 0)]);
}

#[test]
fn baseline_and_malformed_files_are_left_alone() {
    let mut base = Vec::new();
    jpeg_encoder::Encoder::new(&mut base, 90)
        .encode(&[9; 48 * 32 * 3], 48, 32, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    assert!(matches!(needed_scans(&base, 1), Cow::Borrowed(_)));
    let p = progressive(64, 48, 0);
    for end in 0..p.len() {
        // Cut short anywhere: never a panic; the decoder then reports the damage.
        let _ = needed_scans(&p[..end], 2);
    }
    let mut bad_len = p.clone();
    let sos = p.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    bad_len[sos + 2] = 0xFF;
    assert!(matches!(needed_scans(&bad_len, 2), Cow::Borrowed(_)));
    assert!(matches!(needed_scans(b"not a jpeg", 2), Cow::Borrowed(_)));
}

/// Pillow's progressive file (libjpeg's script, with successive approximation): only a 1/8
/// decode can drop AC scans, and it decodes the same without them.
#[test]
fn libjpeg_script_is_cut_only_at_one_eighth() {
    let p = include_bytes!("../../tests/data/codec/progressive.jpg");
    let scans = progressive_scans(p).unwrap();
    assert!(scans.iter().any(|s| s.ah > 0 && s.ss > 0), "{scans:?}");
    assert!(matches!(needed_scans(p, 2), Cow::Borrowed(_)));
    assert!(matches!(needed_scans(p, 4), Cow::Borrowed(_)));
    let cut = needed_scans(p, 1);
    assert!(progressive_scans(&cut).unwrap().iter().all(|s| s.ss == 0));
    assert_eq!(decoded(&cut, 1), decoded(p, 1));
}
