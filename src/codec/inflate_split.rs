//! One zlib stream inflated in two halves, for `decode_png`: on two cores (`inflate`, a big PNG
//! decoded while no other render work runs), or in one loop on one core (`interleaved`).
//! DEFLATE cannot be entered mid-stream by design; this is the way parallel gzip decoders
//! (pugz, rapidgzip) do it anyway, checked so that the result is exactly the serial decode's:
//!
//! - The second half starts near the middle of the data. It looks there for a dynamic block
//!   header that decodes a whole block and is followed by another header; failing that (a
//!   stream of one big block, as fdeflate writes), it guesses that the first block's codes
//!   still apply and decodes as if a symbol started at the middle, one bit later after a code
//!   that does not decode. It records where each of its first symbols started.
//! - Until it is sure of its footing it cannot trust its own output, nor does it know the 32 KiB
//!   before its start: it writes `inflate_out::Refs` (literals, and for matches the position
//!   copied from), and switches to plain bytes once its last 32 KiB depend on neither.
//! - The first half decodes from the start up to the middle, then on, symbol by symbol, until
//!   it stands where the second half recorded a symbol (or header) start with the same block
//!   codes. From there on both decode the same symbols from the same bits, so the second half's
//!   output is the rest of the stream, once its references are resolved against the first
//!   half's bytes. If they never meet, the first half decodes the rest itself.

use super::inflate::{Bad, Event, Failed, Inflate};
use super::inflate_out::{Bytes, Inflated, Out, Refs, WINDOW};

/// Symbol starts the second half records (where the halves may meet).
const RECORD: usize = 4096;
/// Bit positions the second half may try before it is in step (bad codes), beyond `RECORD`.
const RETRIES: usize = 4096;
/// How far past the middle block headers are looked for, in bytes.
const SEARCH: usize = 64 << 10;
/// Most output the second half keeps as references before giving up.
const MAX_REFS: usize = 4 << 20;
/// Input bits the first half decodes between calls of `early`.
const STEP: u64 = 256 << 13;
/// The header mark of a recorded block start (a symbol start records its block's header).
const AT_HEADER: u64 = u64::MAX;

/// What the second half found: where it recorded symbol (or header) starts, with the header
/// of their block and its own output length there; its output as references, then as bytes.
struct Half {
    starts: Vec<(u64, u64)>,
    outs: Vec<usize>,
    refs: Refs,
    /// The plain-byte output after the references (its first `WINDOW` bytes repeat the last
    /// referenced ones), if it got that far.
    tail: Option<Bytes>,
}

impl Half {
    fn new(refs: Refs) -> Half {
        Half {
            starts: Vec::with_capacity(RECORD),
            outs: Vec::with_capacity(RECORD),
            refs,
            tail: None,
        }
    }
}

/// Inflates raw DEFLATE data `b` whose output is exactly `size` bytes, in two halves at once;
/// `Err` for anything invalid or a size other than `size`. `early` gets, every `STEP` input
/// bytes until the middle, the first half's output that later decoding no longer reads (all
/// but its last `WINDOW` bytes), on the first half's core while the second half runs: it may
/// change those bytes in place (the PNG decoder unfilters rows there while they are in cache).
/// `check` runs on the second half's core when it is done (the PNG decoder's CRCs); false
/// fails the whole.
pub(super) fn inflate(
    b: &[u8],
    size: usize,
    mut early: impl FnMut(&mut [u8]) + Send,
    check: impl FnOnce() -> bool + Send,
) -> Result<Inflated, Bad> {
    let mut d = Inflate::new(b, 0);
    let mut out = Bytes::new(size);
    // The first block's header: its codes are the second half's fallback guess.
    d.step(&mut out)?;
    let codes = d.clone();
    // A little before the middle: the first half also has rows to unfilter on its way.
    let mid = (b.len() as u64 * 9 / 20) * 8;
    let (half, first) = super::decode::join(
        || (second(b, mid, &codes, size), check()),
        || run_early(&mut d, &mut out, mid, &mut early),
    );
    let (half, checked) = half;
    first?;
    if !checked {
        return Err(Bad);
    }
    meet(d, out, half, size)
}

/// The first half `d` has decoded `out` up to about the middle: it decodes on until it meets
/// the second half (`half`, if it found its footing and decoded the rest without error) and
/// adopts its output, or to the end on its own.
fn meet(mut d: Inflate, mut out: Bytes, half: Option<Half>, size: usize) -> Result<Inflated, Bad> {
    let starts = half.as_ref().map_or(&[][..], |h| &h.starts[..]);
    match meeting(&mut d, &mut out, starts)? {
        Some(k) => adopt(out, half.ok_or(Bad)?, k, size),
        None => (out.len() == size && !d.bits.overran())
            .then(|| Inflated::whole(out))
            .ok_or(Bad),
    }
}

/// Decodes on until `d` stands where the second half recorded a start with the same block
/// codes (its index), or to the end (`None`).
fn meeting(d: &mut Inflate, out: &mut Bytes, starts: &[(u64, u64)]) -> Result<Option<usize>, Bad> {
    let mut k = 0;
    while !d.done() {
        let at = d.bits.position();
        let id = if d.in_block() { d.header } else { AT_HEADER };
        while k < starts.len() && starts[k].0 < at {
            k += 1;
        }
        if k == starts.len() {
            d.run(out, u64::MAX)?;
            break;
        }
        if starts[k] == (at, id) {
            return Ok(Some(k));
        }
        d.step(out)?;
    }
    Ok(None)
}

/// Inflates `b` (output exactly `size` bytes) on this core, as `inflate` does on two: the
/// halves' decoders advance in one loop (`Inflate::run_pair`), two independent chains of
/// lookups instead of one, until either is through; `early` as for `inflate`. A 12 MP PNG's
/// decode on one core: see `decode_png`.
pub(super) fn interleaved(
    b: &[u8],
    size: usize,
    mut early: impl FnMut(&mut [u8]),
) -> Result<Inflated, Bad> {
    let mut d = Inflate::new(b, 0);
    let mut out = Bytes::new(size);
    d.step(&mut out)?;
    let mid = (b.len() as u64 / 2) * 8;
    let mut half = second_start(b, mid, &d.clone(), size);
    // False once the second half met invalid data: the first decodes on alone.
    let mut fine = true;
    if let Some((
        d2,
        Half {
            tail: Some(tail), ..
        },
    )) = &mut half
    {
        while fine && d.bits.position() < mid && !d.done() && !d2.done() {
            let stop = mid.min(d.bits.position() + STEP);
            match d.run_pair(&mut out, stop, d2, tail) {
                Err(Failed::First) => return Err(Bad),
                Err(Failed::Second) => fine = false,
                Ok(()) => {}
            }
            let keep = out.len().saturating_sub(WINDOW);
            early(&mut out.as_mut_slice()[..keep]);
        }
        fine = fine && (d2.done() || d2.run(tail, u64::MAX).is_ok());
    }
    run_early(&mut d, &mut out, mid, &mut early)?;
    let half = half.and_then(|(d2, h)| (fine && d2.done() && !d2.bits.overran()).then_some(h));
    meet(d, out, half, size)
}

/// Inflates `b` (output exactly `size` bytes) on this core, handing `early` what later decoding
/// no longer reads every `STEP` input bits, as `inflate` does.
pub(super) fn serial(
    b: &[u8],
    size: usize,
    mut early: impl FnMut(&mut [u8]),
) -> Result<Inflated, Bad> {
    let mut d = Inflate::new(b, 0);
    let mut out = Bytes::new(size);
    run_early(&mut d, &mut out, u64::MAX, &mut early)?;
    (out.len() == size).then(|| Inflated::whole(out)).ok_or(Bad)
}

/// Decodes until the end of the stream or bit `until`, handing `early`, every `STEP` input
/// bits, the output that later decoding no longer reads (all but its last `WINDOW` bytes).
fn run_early(
    d: &mut Inflate,
    out: &mut Bytes,
    until: u64,
    early: &mut impl FnMut(&mut [u8]),
) -> Result<(), Bad> {
    while d.bits.position() < until && !d.done() {
        d.run(out, until.min(d.bits.position() + STEP))?;
        if d.bits.overran() {
            return Err(Bad);
        }
        let keep = out.len().saturating_sub(WINDOW);
        early(&mut out.as_mut_slice()[..keep]);
    }
    Ok(())
}

/// The first half's output so far is `out`, and the second half's recorded start `k` is where
/// it stands: the second half's output from there follows (its references resolved now, its
/// plain bytes as the caller reads on: `Inflated::fill_to`).
fn adopt(mut out: Bytes, h: Half, k: usize, size: usize) -> Result<Inflated, Bad> {
    let resolved = h.refs.resolve(out.as_slice(), h.outs[k])?;
    out.bytes(&resolved)?;
    #[cfg(test)]
    ADOPTED.with(|a| a.set(a.get() + 1));
    Inflated::with_rest(out, h.tail, size).ok_or(Bad)
}

/// The second half, from bit `mid` to the end of the stream (`None` if it found no footing or
/// the data after it is invalid).
fn second(b: &[u8], mid: u64, codes: &Inflate, size: usize) -> Option<Half> {
    let (mut d, mut h) = second_start(b, mid, codes, size)?;
    if let Some(tail) = &mut h.tail {
        d.run(tail, u64::MAX).ok()?;
    }
    (d.done() && !d.bits.overran()).then_some(h)
}

/// The second half from bit `mid` until its output no longer depends on what precedes it: it
/// then writes plain bytes to `tail` (set here, seeded with the last `WINDOW` bytes), and the
/// decoder is returned to go on; or until the stream ended (`tail` unset). `None` if it found
/// no footing, the data is invalid or it stayed dependent too long.
fn second_start<'a>(
    b: &'a [u8],
    mid: u64,
    codes: &Inflate,
    size: usize,
) -> Option<(Inflate<'a>, Half)> {
    let (mut d, mut h) = match header_near(b, mid, size) {
        Some(found) => found,
        None => guess(b, mid, codes, size)?,
    };
    while h.refs.el.len() < MAX_REFS {
        if let Some(w) = h.refs.window() {
            // The rest of the output is about half of it; grown if that was too little.
            let cap = size.saturating_sub(h.refs.el.len());
            h.tail = Some(Bytes::seeded(&w, size / 2 + size / 16, WINDOW + cap));
            return Some((d, h));
        }
        if d.step(&mut h.refs).ok()? == Event::Done {
            return (!d.bits.overran()).then_some((d, h));
        }
    }
    None
}

/// A dynamic block header in the `SEARCH` bytes from `mid` that decodes its whole block (of
/// at most `MAX_REFS` bytes) and is followed by a valid header: the decoder after that block,
/// with its output as references.
fn header_near<'a>(b: &'a [u8], mid: u64, size: usize) -> Option<(Inflate<'a>, Half)> {
    let end = (mid + SEARCH as u64 * 8).min(b.len() as u64 * 8);
    candidates(b, mid, end).find_map(|p| {
        let mut d = Inflate::new(b, p);
        let mut h = Half::new(Refs::new(size));
        h.refs.set_sure();
        h.starts.push((p, AT_HEADER));
        h.outs.push(0);
        if d.step(&mut h.refs).ok()? != Event::Header {
            return None;
        }
        while d.step(&mut h.refs).ok()? == Event::Symbol {
            if h.refs.len() > MAX_REFS || d.bits.overran() {
                return None;
            }
        }
        let mut next = d.clone();
        next.step(&mut Refs::new(size)).ok()?;
        Some((d, h))
    })
}

/// The bit positions in `from..to` where `plausible` holds, in order. Its first tests (block
/// type 2, code counts in range) are bit patterns, checked for 48 positions at once on one
/// 64-bit word; only the quarter or so that pass them get the whole test.
fn candidates(b: &[u8], from: u64, to: u64) -> impl Iterator<Item = u64> + '_ {
    let starts = (from / 8..to.div_ceil(8)).step_by(6);
    starts
        .flat_map(move |byte| {
            let mut w = [0u8; 8];
            let have = b.len().saturating_sub(byte as usize).min(8);
            w[..have].copy_from_slice(&b[byte as usize..byte as usize + have]);
            let x = u64::from_le_bytes(w);
            // Bit i: the block type at i + 1 is 2 (bits 0, 1), the literal count field's top
            // four bits (i + 4..=i + 7) are not all set (> 29), nor the distance count's
            // (i + 9..=i + 12).
            let all = |k: u32| (x >> k) & (x >> (k + 1)) & (x >> (k + 2)) & (x >> (k + 3));
            let mut m = !x >> 1 & x >> 2 & !all(4) & !all(9) & ((1 << 48) - 1);
            std::iter::from_fn(move || {
                (m != 0).then(|| {
                    let i = m.trailing_zeros() as u64;
                    m &= m - 1;
                    byte * 8 + i
                })
            })
        })
        .filter(move |&p| p >= from && p < to && plausible(b, p))
}

/// A cheap first test of a dynamic block header at bit `p`: block type 2, counts in range,
/// and code length codes that form a complete prefix code.
fn plausible(b: &[u8], p: u64) -> bool {
    let byte = (p / 8) as usize;
    let Some(w) = b.get(byte..byte + 16) else {
        return false;
    };
    let w = u128::from_le_bytes(w.try_into().unwrap()) >> (p % 8);
    if (w >> 1) & 3 != 2 || (w >> 3) & 31 > 29 || (w >> 8) & 31 > 29 {
        return false;
    }
    let hclen = ((w >> 13) & 15) as u32 + 4;
    // The code length code lengths (3 bits each), four at a time through `KRAFT4`.
    let lengths = (w >> 17) & ((1u128 << (3 * hclen)) - 1);
    let kraft: u16 = (0..5)
        .map(|g| KRAFT4[((lengths >> (12 * g)) & 0xFFF) as usize])
        .sum();
    kraft == 128
}

/// The Kraft sums, in 128ths, of four 3-bit code lengths (0: unused), by their 12 bits.
const KRAFT4: [u16; 4096] = {
    let mut t = [0u16; 4096];
    let mut i = 0;
    while i < 4096 {
        let mut k = 0;
        while k < 4 {
            let l = (i >> (3 * k)) & 7;
            if l > 0 {
                t[i] += 128 >> l;
            }
            k += 1;
        }
        i += 1;
    }
    t
};

/// Decodes from bit `mid` with the first block's codes, as if a symbol started there, recording
/// the first `RECORD` symbol starts; a code that does not decode means it is not in step yet:
/// it drops what it has and starts one bit later (at most `RETRIES` times, and `4 * RECORD +
/// RETRIES` symbols in all).
fn guess<'a>(b: &'a [u8], mid: u64, codes: &Inflate, size: usize) -> Option<(Inflate<'a>, Half)> {
    if !codes.in_block() {
        return None;
    }
    // Symbols tried in all, so that damaged or crafted data cannot make the guess cost more
    // than a few times what it records.
    let mut budget = 4 * RECORD + RETRIES;
    for at in mid..=mid + RETRIES as u64 {
        let mut d = Inflate::inside(b, at, codes);
        let mut h = Half::new(Refs::new(size));
        let mut ok = true;
        while h.starts.len() < RECORD && !d.done() {
            budget = budget.checked_sub(1)?;
            let id = if d.in_block() { d.header } else { AT_HEADER };
            h.starts.push((d.bits.position(), id));
            h.outs.push(h.refs.len());
            if d.step(&mut h.refs).is_err() || d.bits.overran() {
                ok = false;
                break;
            }
        }
        if ok {
            h.refs.set_sure();
            return Some((d, h));
        }
    }
    None
}

#[cfg(test)]
thread_local! {
    /// Two-halves inflates on this thread that used the second half (tests).
    pub(super) static ADOPTED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

#[cfg(test)]
#[path = "inflate_tests.rs"]
mod tests;
