//! A DEFLATE (RFC 1951) decoder for `decode_png` and its two-halves inflate (`inflate_split`):
//! the `png` crate's inflate (fdeflate) cannot start mid-stream or say where a symbol starts,
//! and both are what decoding one zlib stream on two cores needs. `step` decodes one symbol
//! through `Out` (a plain byte buffer or the second half's reference buffer, `inflate_out`);
//! `run` is the fast loop into a byte buffer: one lookup emits up to three literals, and on
//! CPUs with BMI2 the loop is compiled for it (runtime check), since its speed is the chain
//! lookup -> shift -> lookup (a 12 MP PNG decode on one core: -6 % with both; either alone
//! gained nothing measurable). `pair` runs that loop for two decoders at once (the halves of
//! `inflate_split::interleaved`), so that one chain's lookups fill the other's waits.
//! Anything invalid answers `Err(Bad)`; the caller then leaves the file to the `image` crate,
//! which reports it.

use super::inflate_out::{put, Bytes, Cursor, Out};

#[path = "inflate_pair.rs"]
mod pair;
pub(super) use pair::Failed;

/// Invalid or truncated data (or output past the expected size).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Bad;

/// Bits of the literal/length and distance lookups.
const LBITS: u32 = 12;
const LMASK: u64 = (1 << LBITS) - 1;
const DBITS: u32 = 9;

/// Table entries. Bits 0-5 hold the bits the entry takes (0: a longer code, or none), so that
/// consuming them is one shift. A literal entry has its literal count in bits 6-7: the lookup
/// held up to three literals' whole codes (`Code::multi`; one in `Code::lut`), their bytes in
/// bits 8-15, 16-23 and 24-31. Any other entry has a zero count and its kind in bits 8-11; a
/// length or distance entry has its extra bits in bits 12-15 and its base in bits 16-31.
const NBITS: u32 = 0x3F;
const NLIT: u32 = 3 << 6;
const ONE_LIT: u32 = 1 << 6;
const LEN: u32 = 0x100;
const EOB: u32 = 0x200;
const LONG: u32 = 0x400;

const LEN_BASE: [u16; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LEN_EXTRA: [u8; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE: [u16; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u8; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];
/// The order of the code length code lengths in a dynamic block header.
const CL_ORDER: [usize; 19] = [
    16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15,
];

/// A little-endian bit reader over a byte slice; reads past the end as zeros (`overran`).
#[derive(Clone)]
pub(super) struct Bits<'a> {
    b: &'a [u8],
    /// The next byte not yet in `buf`.
    pos: usize,
    buf: u64,
    n: u32,
}

impl<'a> Bits<'a> {
    /// A reader at bit `bit` of `b`.
    pub fn at(b: &'a [u8], bit: u64) -> Bits<'a> {
        let mut r = Bits {
            b,
            pos: (bit / 8) as usize,
            buf: 0,
            n: 0,
        };
        r.refill();
        r.consume((bit % 8) as u32);
        r
    }

    /// Bits consumed from the start of the slice.
    #[inline(always)]
    pub fn position(&self) -> u64 {
        self.pos as u64 * 8 - self.n as u64
    }

    /// True once more bits were consumed than the slice holds.
    pub fn overran(&self) -> bool {
        self.position() > self.b.len() as u64 * 8
    }

    /// Tops the buffer up to at least 56 bits.
    #[inline(always)]
    fn refill(&mut self) {
        if let Some(w) = self.b.get(self.pos..self.pos + 8) {
            let w = u64::from_le_bytes(w.try_into().unwrap());
            self.buf |= w << self.n;
            let k = (63 - self.n) / 8;
            self.pos += k as usize;
            self.n += 8 * k;
        } else {
            while self.n <= 56 {
                let byte = self.b.get(self.pos).copied().unwrap_or(0) as u64;
                self.buf |= byte << self.n;
                self.pos += 1;
                self.n += 8;
            }
        }
    }

    #[inline(always)]
    fn consume(&mut self, k: u32) {
        self.buf >>= k;
        self.n -= k;
    }

    /// Takes `k` (at most 32) bits; the buffer must hold them.
    #[inline(always)]
    fn take(&mut self, k: u32) -> u32 {
        let v = (self.buf & ((1u64 << k) - 1)) as u32;
        self.consume(k);
        v
    }

    /// Takes `k` (at most 32) bits, refilling first.
    fn read(&mut self, k: u32) -> u32 {
        self.refill();
        self.take(k)
    }

    /// Drops the bits up to the next byte boundary.
    fn align(&mut self) {
        self.consume(self.n % 8);
    }
}

/// A canonical Huffman code: a `bits`-bit lookup of one symbol per entry, for literal/length
/// codes a second one whose literal entries hold up to three literals (`multi_literals`), and,
/// for longer codes, the counts and sorted symbols (decoded one bit at a time; rare).
#[derive(Clone)]
pub(super) struct Code {
    lut: Vec<u32>,
    multi: Vec<u32>,
    count: [u16; 16],
    sorted: Vec<u16>,
}

impl Code {
    /// From code lengths (0 = unused). Over-subscribed codes are refused, and so are incomplete
    /// ones, except for distances (as zlib and fdeflate do): none at all, or a single code of
    /// length 1. `entry` maps a symbol to its lookup entry without the length.
    fn new(
        lengths: &[u8],
        bits: u32,
        dist: bool,
        entry: impl Fn(usize) -> u32,
    ) -> Result<Code, Bad> {
        let mut count = [0u16; 16];
        for &l in lengths {
            count[l as usize] += 1;
        }
        count[0] = 0;
        let mut left = 1i32;
        for &c in &count[1..] {
            left = (left << 1) - c as i32;
            if left < 0 {
                return Err(Bad);
            }
        }
        let used: u16 = count.iter().sum();
        if left > 0 && !(dist && used <= 1) {
            return Err(Bad);
        }
        let mut offs = [0u16; 16];
        for l in 1..15 {
            offs[l + 1] = offs[l] + count[l];
        }
        let mut sorted = vec![0u16; used as usize];
        for (s, &l) in lengths.iter().enumerate() {
            if l > 0 {
                sorted[offs[l as usize] as usize] = s as u16;
                offs[l as usize] += 1;
            }
        }
        let mut lut = vec![0u32; 1 << bits];
        let (mut code, mut k) = (0u32, 0usize);
        for len in 1..=15u32 {
            for _ in 0..count[len as usize] {
                let sym = sorted[k] as usize;
                if len <= bits {
                    let rev = code.reverse_bits() >> (32 - len);
                    let e = entry(sym) | len;
                    let mut i = rev as usize;
                    while i < lut.len() {
                        lut[i] = e;
                        i += 1 << len;
                    }
                } else {
                    let rev = (code >> (len - bits)).reverse_bits() >> (32 - bits);
                    lut[rev as usize] = LONG;
                }
                code += 1;
                k += 1;
            }
            code <<= 1;
        }
        Ok(Code {
            lut,
            multi: Vec::new(),
            count,
            sorted,
        })
    }

    /// Builds `multi`: each literal entry also carries the literals after it whose codes fit the
    /// lookup too (up to three in all), so one lookup emits them together.
    fn multi_literals(&mut self) {
        let single = &self.lut;
        let more = |i: usize, mut e: u32| {
            while e & NLIT != 0 && e & NLIT != NLIT {
                let (used, n) = (e & NBITS, (e & NLIT) >> 6);
                let next = single[i >> used];
                let l = next & NBITS;
                if next & NLIT == 0 || l == 0 || used + l > LBITS {
                    break;
                }
                let byte = (next >> 8) & 0xFF;
                e = (e & !(NBITS | NLIT)) | byte << (8 + 8 * n) | (n + 1) << 6 | (used + l);
            }
            e
        };
        self.multi = single
            .iter()
            .enumerate()
            .map(|(i, &e)| more(i, e))
            .collect();
    }

    /// The literal/length lookup with up to three literals an entry (`multi_literals`).
    #[inline(always)]
    fn lut_multi(&self) -> Option<&[u32; 1 << LBITS]> {
        self.multi[..].try_into().ok()
    }

    /// The symbol of a code longer than the lookup, bit by bit (`b` holds at least 15 bits).
    #[cold]
    fn slow(&self, b: &mut Bits) -> Result<usize, Bad> {
        let (mut code, mut first, mut index) = (0i32, 0i32, 0i32);
        for len in 1..16 {
            code |= b.take(1) as i32;
            let count = self.count[len] as i32;
            if code - count < first {
                return Ok(self.sorted[(index + code - first) as usize] as usize);
            }
            index += count;
            first = (first + count) << 1;
            code <<= 1;
        }
        Err(Bad)
    }
}

fn litlen_entry(sym: usize) -> u32 {
    match sym {
        0..=255 => (sym as u32) << 8 | ONE_LIT,
        256 => EOB,
        257..=285 => {
            let i = sym - 257;
            (LEN_BASE[i] as u32) << 16 | (LEN_EXTRA[i] as u32) << 12 | LEN
        }
        _ => 0,
    }
}

fn dist_entry(sym: usize) -> u32 {
    match sym {
        0..=29 => (DIST_BASE[sym] as u32) << 16 | (DIST_EXTRA[sym] as u32) << 12 | LEN,
        _ => 0,
    }
}

/// Where the decoder stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Event {
    /// A symbol was decoded (or a stored block copied).
    Symbol,
    /// A block header was read.
    Header,
    /// A block ended.
    BlockEnd,
    /// The last block ended.
    Done,
}

/// The decoder's state between symbols: the bit reader, and the codes of the current block.
#[derive(Clone)]
pub(super) struct Inflate<'a> {
    pub bits: Bits<'a>,
    lit: Code,
    dist: Code,
    /// Inside a compressed block (else before a block header).
    in_block: bool,
    last: bool,
    done: bool,
    /// Where the current block's header started (identifies its codes).
    pub header: u64,
}

impl<'a> Inflate<'a> {
    /// A decoder at bit `bit` of raw DEFLATE data, before a block header.
    pub fn new(b: &'a [u8], bit: u64) -> Inflate<'a> {
        let none = Code {
            lut: Vec::new(),
            multi: Vec::new(),
            count: [0; 16],
            sorted: Vec::new(),
        };
        Inflate {
            bits: Bits::at(b, bit),
            lit: none.clone(),
            dist: none,
            in_block: false,
            last: false,
            done: false,
            header: u64::MAX,
        }
    }

    /// A decoder at bit `bit` inside a compressed block with `codes` (from another decoder that
    /// read the block's header at `header`), as if a symbol started there.
    pub fn inside(b: &'a [u8], bit: u64, codes: &Inflate) -> Inflate<'a> {
        let mut d = Inflate::new(b, bit);
        d.lit = codes.lit.clone();
        d.dist = codes.dist.clone();
        d.header = codes.header;
        d.last = codes.last;
        d.in_block = true;
        d
    }

    /// True inside a compressed (Huffman-coded) block.
    pub fn in_block(&self) -> bool {
        self.in_block
    }

    pub fn done(&self) -> bool {
        self.done
    }

    /// Reads the next block header; stored blocks are copied to `out` at once.
    fn header(&mut self, out: &mut impl Out) -> Result<Event, Bad> {
        self.header = self.bits.position();
        let h = self.bits.read(3);
        self.last = h & 1 == 1;
        match h >> 1 {
            0 => self.stored(out),
            1 => {
                let mut l = [8u8; 288 + 32];
                l[144..256].fill(9);
                l[256..280].fill(7);
                l[288..].fill(5);
                self.codes(&l[..288], &l[288..])?;
                Ok(Event::Header)
            }
            2 => {
                let (lit, dist) = self.dynamic()?;
                self.codes(&lit, &dist)?;
                Ok(Event::Header)
            }
            _ => Err(Bad),
        }
    }

    fn codes(&mut self, lit: &[u8], dist: &[u8]) -> Result<(), Bad> {
        if lit.get(256).is_none_or(|&l| l == 0) {
            return Err(Bad);
        }
        self.lit = Code::new(lit, LBITS, false, litlen_entry)?;
        self.lit.multi_literals();
        self.dist = Code::new(dist, DBITS, true, dist_entry)?;
        self.in_block = true;
        Ok(())
    }

    /// A stored block: its bytes go to `out` whole.
    fn stored(&mut self, out: &mut impl Out) -> Result<Event, Bad> {
        self.bits.align();
        let len = self.bits.read(16);
        let nlen = self.bits.read(16);
        if len != !nlen & 0xFFFF {
            return Err(Bad);
        }
        let from = (self.bits.position() / 8) as usize;
        let to = from + len as usize;
        out.bytes(self.bits.b.get(from..to).ok_or(Bad)?)?;
        self.bits = Bits::at(self.bits.b, to as u64 * 8);
        self.block_end()
    }

    /// Reads a dynamic block's code lengths (literal/length, distance).
    fn dynamic(&mut self) -> Result<(Vec<u8>, Vec<u8>), Bad> {
        let b = &mut self.bits;
        let hlit = b.read(5) as usize + 257;
        let hdist = b.read(5) as usize + 1;
        let hclen = b.read(4) as usize + 4;
        if hlit > 286 || hdist > 30 {
            return Err(Bad);
        }
        let mut cl = [0u8; 19];
        for &i in &CL_ORDER[..hclen] {
            cl[i] = b.read(3) as u8;
        }
        let clc = Code::new(&cl, 7, false, |s| (s as u32) << 16)?;
        let mut lens = vec![0u8; hlit + hdist];
        let mut i = 0;
        while i < lens.len() {
            b.refill();
            let e = clc.lut[(b.buf & 0x7F) as usize];
            if e & NBITS == 0 {
                return Err(Bad);
            }
            b.consume(e & NBITS);
            let (val, reps) = match e >> 16 {
                s @ 0..=15 => (s as u8, 1),
                16 => (*lens[..i].last().ok_or(Bad)?, 3 + b.take(2)),
                17 => (0, 3 + b.take(3)),
                _ => (0, 11 + b.take(7)),
            };
            let end = i + reps as usize;
            lens.get_mut(i..end).ok_or(Bad)?.fill(val);
            i = end;
        }
        let dist = lens.split_off(hlit);
        Ok((lens, dist))
    }

    fn block_end(&mut self) -> Result<Event, Bad> {
        self.in_block = false;
        if self.last {
            self.done = true;
            return Ok(Event::Done);
        }
        Ok(Event::BlockEnd)
    }

    /// Decodes one symbol, or reads a block header (a stored block is copied whole).
    pub fn step(&mut self, out: &mut impl Out) -> Result<Event, Bad> {
        if self.done {
            return Ok(Event::Done);
        }
        if !self.in_block {
            return self.header(out);
        }
        self.bits.refill();
        self.symbol(out)
    }

    /// Decodes until the end of the stream, or until a symbol or block header would start at
    /// or past bit `stop`.
    pub fn run(&mut self, out: &mut Bytes, stop: u64) -> Result<(), Bad> {
        while !self.done && self.bits.position() < stop {
            if !self.in_block {
                self.header(out)?;
                continue;
            }
            self.fast_any(out, stop)?;
            if self.in_block && self.bits.position() < stop {
                self.bits.refill();
                self.symbol(out)?;
            }
        }
        Ok(())
    }

    /// `fast`, compiled for BMI2 where the CPU has it (one-cycle shifts by a register amount
    /// without the `cl` register, which the literal loop's dependency chain is made of).
    fn fast_any(&mut self, out: &mut Bytes, stop: u64) -> Result<(), Bad> {
        #[cfg(test)]
        if GENERIC.with(|g| g.get()) {
            return self.fast(out, stop);
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("bmi2") {
            // SAFETY: the CPU has BMI2 (checked just above).
            return unsafe { self.fast_bmi2(out, stop) };
        }
        self.fast(out, stop)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "bmi2")]
    fn fast_bmi2(&mut self, out: &mut Bytes, stop: u64) -> Result<(), Bad> {
        self.fast(out, stop)
    }

    /// The main loop: symbols of the current block while the input, the output and `stop` are
    /// far enough away that no check is needed per literal.
    #[inline(always)]
    fn fast(&mut self, out: &mut Bytes, stop: u64) -> Result<(), Bad> {
        // One round takes at most 4 x 12 literal bits, or 48 bits of a match, so reading stops
        // 16 bytes before `stop` and before the end; it writes at most 4 x 4 bytes or 258.
        let last =
            (self.bits.b.len().saturating_sub(16)).min((stop / 8).saturating_sub(16) as usize);
        while self.bits.pos <= last && (out.room() > 300 || out.make_room(301)) {
            let room = out.room() - 300;
            let mut o = out.cursor();
            let (r, special) = self.burst(&mut o, last, room);
            let len = o.len;
            out.set_len(len);
            r?;
            if special {
                break;
            }
        }
        Ok(())
    }

    /// Symbols while the input lasts to `last`, up to `room` more output bytes, and each is
    /// a literal or a match; true when the next one is not (end of block, a long code or an
    /// invalid one). The reader and the cursor are locals here, so that they stay in registers.
    #[inline(always)]
    fn burst(&mut self, o: &mut Cursor, last: usize, room: usize) -> (Result<(), Bad>, bool) {
        let Some(lut) = self.lit.lut_multi() else {
            return (Err(Bad), true);
        };
        let mut b = self.bits.clone();
        let end = o.len + room;
        let mut result = (Ok(()), false);
        while b.pos <= last && o.len <= end {
            match round(&mut b, o, lut, &self.dist) {
                Round::Go => {}
                Round::Special => {
                    result.1 = true;
                    break;
                }
                Round::Fail => {
                    result = (Err(Bad), true);
                    break;
                }
            }
        }
        self.bits = b;
        result
    }

    /// One literal/length symbol (and its distance); the buffer holds at least 56 bits.
    #[inline(always)]
    fn symbol(&mut self, out: &mut impl Out) -> Result<Event, Bad> {
        let b = &mut self.bits;
        let mut e = self.lit.lut[(b.buf & LMASK) as usize];
        if e & NBITS == 0 {
            if e != LONG {
                return Err(Bad);
            }
            e = litlen_entry(self.lit.slow(b)?);
        } else {
            b.consume(e & NBITS);
        }
        if e & NLIT != 0 {
            out.lit((e >> 8) as u8)?;
            return Ok(Event::Symbol);
        }
        if e & EOB != 0 {
            return self.block_end();
        }
        if e & LEN == 0 {
            return Err(Bad);
        }
        let len = (e >> 16) as usize + b.take((e >> 12) & 0xF) as usize;
        // Length: at most 15 + 5 bits; the distance needs 15 + 13 more: refill.
        b.refill();
        let dist = self.dist.distance(b)?;
        out.copy(dist, len)?;
        Ok(Event::Symbol)
    }
}

/// How a round of the literal loop (`round`) ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Round {
    /// Literals or a match were written.
    Go,
    /// The next symbol is not a literal or a length (end of block, a long code, an invalid
    /// one); nothing of it was consumed.
    Special,
    /// An invalid distance or a copy from before the output's start.
    Fail,
}

/// One round of the literal loop: up to four lookups of literals, or one match. `b` must have
/// 16 bytes of input left and `o` room for 300 bytes. Its speed is the chain lookup -> shift ->
/// lookup of the literal lookups: a latency, which is why `pair` runs two of these at once.
#[inline(always)]
fn round(b: &mut Bits, o: &mut Cursor, lut: &[u32; 1 << LBITS], dist: &Code) -> Round {
    b.refill();
    let mut e = lut[(b.buf & LMASK) as usize];
    let (mut k, mut used, mut at) = (0, 0u32, 0);
    let Some(w) = o.ahead() else {
        return Round::Fail;
    };
    while e & NLIT != 0 && k < 4 {
        #[cfg(test)]
        TRIPLES.with(|t| t.set(t.get() + usize::from(e & NLIT == NLIT)));
        put(w, &mut at, e);
        // The shift alone is on the path from one lookup to the next (a shift by a register
        // amount masks it to 6 bits anyway); the bit count is settled after the loop: the low
        // 6 bits of the entries' sum are their lengths' sum (<= 48).
        b.buf >>= e & NBITS;
        used = used.wrapping_add(e);
        e = lut[(b.buf & LMASK) as usize];
        k += 1;
    }
    b.n -= used & NBITS;
    o.len += at;
    if k == 4 {
        return Round::Go;
    }
    finish(b, o, e, dist)
}

/// The end of a round whose next lookup is `e`: a match is copied, a literal waits for the
/// next round.
#[inline(always)]
fn finish(b: &mut Bits, o: &mut Cursor, e: u32, dist: &Code) -> Round {
    if e & NLIT != 0 {
        return Round::Go;
    }
    if e & LEN == 0 {
        return Round::Special;
    }
    b.refill();
    b.consume(e & NBITS);
    let len = (e >> 16) as usize + b.take((e >> 12) & 0xF) as usize;
    match dist.distance(b).and_then(|d| o.copy(d, len)) {
        Ok(()) => Round::Go,
        Err(Bad) => Round::Fail,
    }
}

#[cfg(test)]
thread_local! {
    /// Set: the literal loop runs as compiled for any x86-64 (tests; CPUs without BMI2).
    pub(super) static GENERIC: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Lookups in the literal loop that emitted three literals (tests).
    pub(super) static TRIPLES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl Code {
    /// A distance code and its extra bits (the buffer holds at least 28 bits).
    #[inline(always)]
    fn distance(&self, b: &mut Bits) -> Result<usize, Bad> {
        let mut d = self.lut[(b.buf & ((1 << DBITS) - 1)) as usize];
        if d & NBITS == 0 {
            if d != LONG {
                return Err(Bad);
            }
            d = dist_entry(self.slow(b)?);
            if d == 0 {
                return Err(Bad);
            }
        } else {
            b.consume(d & NBITS);
        }
        Ok((d >> 16) as usize + b.take((d >> 12) & 0xF) as usize)
    }
}

/// The raw DEFLATE data of a zlib stream (RFC 1950): checks the header (method 8, window at
/// most 32 KiB, no preset dictionary, header check) and skips it. The Adler-32 at the end is
/// not checked (PNG decoders commonly ignore it; the `png` crate does).
pub(super) fn zlib_body(z: &[u8]) -> Option<&[u8]> {
    let (cmf, flg) = (*z.first()?, *z.get(1)?);
    let ok = cmf & 0x0F == 8 && cmf >> 4 <= 7 && flg & 0x20 == 0;
    (ok && (cmf as u16 * 256 + flg as u16).is_multiple_of(31)).then(|| &z[2..])
}
