//! Where `inflate` writes: `Bytes`, a plain output buffer of known size, and `Refs`, the second
//! half's output in `inflate_split` while the bytes before its start are unknown. A `Refs`
//! element is a literal or a reference to an earlier position of the second half's own output
//! (negative: before its start), resolved once the first half has decoded up to there.

use super::inflate::Bad;

/// The sink of decoded bytes.
pub(super) trait Out {
    fn lit(&mut self, v: u8) -> Result<(), Bad>;
    /// Copies `n` bytes from `dist` back (a DEFLATE match).
    fn copy(&mut self, dist: usize, n: usize) -> Result<(), Bad>;
    fn bytes(&mut self, b: &[u8]) -> Result<(), Bad>;
    /// Bytes (or elements) written so far.
    fn len(&self) -> usize;
}

/// Slack past the end, so that matches can be copied 16 bytes at a time.
const SLACK: usize = 16;

/// A byte buffer that grows as needed but never past `cap` bytes.
pub(super) struct Bytes {
    /// The bytes, `SLACK` past what may be written now.
    buf: Vec<u8>,
    len: usize,
    cap: usize,
}

impl Bytes {
    /// Room for `cap` bytes at once.
    pub fn new(cap: usize) -> Bytes {
        Bytes::sized(cap, cap)
    }

    /// Room for `first` bytes now, up to `cap` later.
    fn sized(first: usize, cap: usize) -> Bytes {
        Bytes {
            // Every byte below `len` is written before it is read (`crate::buffers`).
            buf: crate::buffers::take(first.min(cap) + SLACK),
            len: 0,
            cap,
        }
    }

    /// `window` first (as if already decoded), room for `guess` bytes after it now and for
    /// `cap` in all.
    pub fn seeded(window: &[u8], guess: usize, cap: usize) -> Bytes {
        let mut b = Bytes::sized(window.len() + guess, cap.max(window.len()));
        b.buf[..window.len()].copy_from_slice(window);
        b.len = window.len();
        b
    }

    /// Bytes that may be written without growing.
    #[inline(always)]
    pub fn room(&self) -> usize {
        self.buf.len() - SLACK - self.len
    }

    /// Grows (by half at least) so that `n` more bytes fit; false past `cap`.
    #[cold]
    pub fn make_room(&mut self, n: usize) -> bool {
        let (now, want) = (self.buf.len() - SLACK, self.len + n);
        if want > self.cap {
            return false;
        }
        let new = want.max(now + now / 2).min(self.cap);
        self.buf.resize(new + SLACK, 0);
        true
    }

    #[inline(always)]
    fn fit(&mut self, n: usize) -> Result<(), Bad> {
        if n <= self.room() || self.make_room(n) {
            Ok(())
        } else {
            Err(Bad)
        }
    }

    /// The buffer as a `Cursor` (for `inflate`'s main loop, which keeps it in registers and
    /// checks the room itself); `set_len` takes its length back.
    #[inline(always)]
    pub fn cursor(&mut self) -> Cursor<'_> {
        Cursor {
            buf: &mut self.buf[..],
            len: self.len,
        }
    }

    pub fn set_len(&mut self, len: usize) {
        debug_assert!(len + SLACK <= self.buf.len());
        self.len = len;
    }

    pub fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.buf[..self.len]
    }

    pub fn into_vec(mut self) -> Vec<u8> {
        self.buf.truncate(self.len);
        self.buf
    }

    /// The whole buffer, for `crate::buffers::give`: its bytes are not needed (the pool hands
    /// out buffers of unspecified bytes), and at its full length a later `take` of the same
    /// size need not zero the part past what was written (a 12 MP PNG's second half: 3 MB).
    pub fn into_spare(self) -> Vec<u8> {
        self.buf
    }
}

impl Out for Bytes {
    #[inline(always)]
    fn lit(&mut self, v: u8) -> Result<(), Bad> {
        self.fit(1)?;
        self.buf[self.len] = v;
        self.len += 1;
        Ok(())
    }

    #[inline(always)]
    fn copy(&mut self, dist: usize, n: usize) -> Result<(), Bad> {
        self.fit(n)?;
        let mut c = self.cursor();
        c.copy(dist, n)?;
        self.len = c.len;
        Ok(())
    }

    fn bytes(&mut self, b: &[u8]) -> Result<(), Bad> {
        self.fit(b.len())?;
        self.buf[self.len..self.len + b.len()].copy_from_slice(b);
        self.len += b.len();
        Ok(())
    }

    fn len(&self) -> usize {
        self.len
    }
}

/// Writes into a `Bytes` buffer (with its slack) without growing it: the caller has made room.
pub(super) struct Cursor<'a> {
    buf: &'a mut [u8],
    pub len: usize,
}

impl Cursor<'_> {
    /// The 32 bytes from the cursor on, where a round of literal lookups writes (`put`); the
    /// caller has made room for them.
    #[inline(always)]
    pub fn ahead(&mut self) -> Option<&mut [u8; 32]> {
        self.buf.get_mut(self.len..self.len + 32)?.try_into().ok()
    }
}

/// Writes a literal table entry's one to three bytes (bits 8-31; the count in bits 6-7) at
/// `at` (at most 12: four lookups of three) in `w` (`Cursor::ahead`): all four bytes of `e >> 8`
/// are stored, and `at` moves past the literals only. The mask keeps the index visibly in
/// bounds, so that no check is compiled (the literal loops are short of instructions).
#[inline(always)]
pub(super) fn put(w: &mut [u8; 32], at: &mut usize, e: u32) {
    let i = *at & 15;
    w[i..i + 4].copy_from_slice(&(e >> 8).to_le_bytes());
    *at += (e >> 6 & 3) as usize;
}

impl Cursor<'_> {
    /// A DEFLATE match: `n` bytes from `dist` back.
    #[inline(always)]
    pub fn copy(&mut self, dist: usize, n: usize) -> Result<(), Bad> {
        if dist > self.len {
            return Err(Bad);
        }
        let (src, dst) = (self.len - dist, self.len);
        if dist == 1 {
            let run = [self.buf[src]; SLACK];
            let mut i = 0;
            while i < n {
                self.buf[dst + i..dst + i + SLACK].copy_from_slice(&run);
                i += SLACK;
            }
        } else {
            // Each 16-byte step reads only bytes already written when it starts (the step is
            // at most `dist`); what it writes past `dst + n` lies in the slack or is written
            // again later.
            let step = dist.min(SLACK);
            let mut i = 0;
            while i < n {
                self.buf.copy_within(src + i..src + i + SLACK, dst + i);
                i += step;
            }
        }
        self.len += n;
        Ok(())
    }
}

/// The DEFLATE window: how far back a match may reach.
pub(super) const WINDOW: usize = 32768;

/// A literal element: the byte in the low 8 bits.
const LIT: u32 = 1 << 31;
/// A reference that depends on output before `sure` (unknown to the second half itself).
const DEP: u32 = 1 << 30;
const INDEX: u32 = DEP - 1;

/// The second half's output while it may depend on what precedes it: literals, and for every
/// matched byte a reference to the own position it was copied from (`WINDOW` added, so that
/// positions before the start are non-negative). Positions before `sure` (where the decoder
/// may not yet be in step) are never trusted: a copy from there refers to the position, and the
/// caller resolves it against the first half's bytes once it knows where the halves meet.
pub(super) struct Refs {
    pub el: Vec<u32>,
    /// Own positions from here on are known to be in step.
    sure: Option<usize>,
    /// The last position written with `DEP`.
    last_dep: Option<usize>,
    cap: usize,
}

impl Refs {
    pub fn new(cap: usize) -> Refs {
        Refs {
            el: Vec::new(),
            sure: None,
            last_dep: None,
            cap,
        }
    }

    /// Positions from here on are in step (if the halves meet at all).
    pub fn set_sure(&mut self) {
        self.sure = Some(self.el.len());
    }

    /// The last `WINDOW` bytes, when they no longer depend on anything before `sure`.
    pub fn window(&self) -> Option<Vec<u8>> {
        let (sure, len) = (self.sure?, self.el.len());
        let from = len.checked_sub(WINDOW).filter(|&f| f >= sure)?;
        if self.last_dep.is_some_and(|d| d >= from) {
            return None;
        }
        let mut vals = vec![0u8; len - sure];
        for q in sure..len {
            let e = self.el[q];
            vals[q - sure] = match e & LIT != 0 {
                true => e as u8,
                false if e & DEP != 0 => 0,
                false => vals[(e & INDEX) as usize - WINDOW - sure],
            };
        }
        Some(vals.split_off(from - sure))
    }

    /// Own positions `from..` as bytes, given that own position `from` is byte `first.len()` of
    /// the whole output, whose earlier bytes are `first`.
    pub fn resolve(&self, first: &[u8], from: usize) -> Result<Vec<u8>, Bad> {
        let len = self.el.len();
        let mut vals = vec![0u8; len.saturating_sub(from)];
        for q in from..len {
            let e = self.el[q];
            vals[q - from] = if e & LIT != 0 {
                e as u8
            } else {
                let r = (e & INDEX) as usize;
                if r >= from + WINDOW {
                    vals[r - WINDOW - from]
                } else {
                    let back = from + WINDOW - r;
                    *first
                        .get(first.len().checked_sub(back).ok_or(Bad)?)
                        .ok_or(Bad)?
                }
            };
        }
        Ok(vals)
    }
}

impl Out for Refs {
    fn lit(&mut self, v: u8) -> Result<(), Bad> {
        if self.el.len() >= self.cap {
            return Err(Bad);
        }
        self.el.push(LIT | v as u32);
        Ok(())
    }

    fn copy(&mut self, dist: usize, n: usize) -> Result<(), Bad> {
        if dist > self.el.len() + WINDOW || n > self.cap - self.el.len() {
            return Err(Bad);
        }
        for _ in 0..n {
            let len = self.el.len();
            let r = len + WINDOW - dist;
            let dep = match self.sure {
                Some(s) if r >= s + WINDOW => {
                    let src = self.el[r - WINDOW];
                    src & LIT == 0 && src & DEP != 0
                }
                _ => true,
            };
            if dep {
                self.last_dep = Some(len);
            }
            self.el.push(r as u32 | if dep { DEP } else { 0 });
        }
        Ok(())
    }

    fn bytes(&mut self, b: &[u8]) -> Result<(), Bad> {
        b.iter().try_for_each(|&v| self.lit(v))
    }

    fn len(&self) -> usize {
        self.el.len()
    }
}

/// A decoded stream: its start in `out`; when the two halves of `inflate_split` met, the rest
/// is still in the second half's buffer (`rest`, from `WINDOW` on: what precedes repeats the
/// last bytes before it) and is appended as the caller reads on (`fill_to`), so that each
/// part is copied just before the caller works on it, in cache, rather than all at once.
pub(super) struct Inflated {
    out: Bytes,
    /// The second half's buffer and the next byte of it to append.
    rest: Option<(Bytes, usize)>,
}

impl Inflated {
    /// All of it in `out`.
    pub fn whole(out: Bytes) -> Inflated {
        Inflated { out, rest: None }
    }

    /// `out`, then `rest` from `WINDOW` on; `None` unless that is `size` bytes in all.
    pub fn with_rest(out: Bytes, rest: Option<Bytes>, size: usize) -> Option<Inflated> {
        let more = rest.as_ref().map_or(0, |r| r.len().saturating_sub(WINDOW));
        let rest = rest.map(|r| (r, WINDOW));
        (out.len() + more == size).then_some(Inflated { out, rest })
    }

    /// The output up to byte `n` (or all of it if shorter), appending what it needs of the
    /// second half's bytes. `out` was sized for the whole output: the appending cannot fail.
    pub fn fill_to(&mut self, n: usize) -> &mut [u8] {
        if let Some((rest, at)) = &mut self.rest {
            let end = at
                .saturating_add(n.saturating_sub(self.out.len()))
                .min(rest.len());
            if end > *at && self.out.bytes(&rest.as_slice()[*at..end]).is_ok() {
                *at = end;
            }
            if *at == rest.len() {
                if let Some((rest, _)) = self.rest.take() {
                    crate::buffers::give(rest.into_spare());
                }
            }
        }
        let n = n.min(self.out.len());
        &mut self.out.as_mut_slice()[..n]
    }

    /// All of it, as one buffer.
    pub fn into_vec(mut self) -> Vec<u8> {
        self.fill_to(usize::MAX);
        self.out.into_vec()
    }
}
