//! The entropy decoder of `jpeg_fast` and `jpeg_prog` (JPEG shrink-on-load): a 64-bit bit reader
//! that takes four bytes at a time when none of them is FF, Huffman tables with a 9-bit lookup, and
//! an AC table whose 10-bit lookup also yields the coefficient's value, so that most AC
//! coefficients cost one table read. A block keeps only the coefficients a reduced IDCT reads.
//! Anything invalid answers `None`; the caller then leaves the file to `jpeg-decoder`.

/// Bits of the first-level lookups.
const LUT: u32 = 9;
const AC_LUT: u32 = 10;

/// A Huffman table (JPEG Annex C/F): a lookup of the codes up to `LUT` bits, the canonical
/// code ranges for longer ones.
#[derive(Clone)]
pub(super) struct Table {
    /// `symbol << 8 | length` per `LUT`-bit prefix; 0 when the code is longer.
    lut: Vec<u16>,
    maxcode: [i32; 17],
    delta: [i32; 17],
    values: Vec<u8>,
}

impl Table {
    /// From a DHT entry: code counts per length 1-16 and the symbols in code order.
    pub fn new(counts: &[u8; 16], values: &[u8]) -> Option<Table> {
        let total: usize = counts.iter().map(|c| *c as usize).sum();
        if total == 0 || total > 256 || values.len() < total {
            return None;
        }
        let (mut lut, mut maxcode, mut delta) = (vec![0u16; 1 << LUT], [-1i32; 17], [0i32; 17]);
        let (mut code, mut k) = (0i32, 0usize);
        for len in 1..=16u32 {
            let n = counts[len as usize - 1] as i32;
            delta[len as usize] = k as i32 - code;
            for _ in 0..n {
                // More codes of this length than the length allows: not a prefix code.
                if code >= 1 << len {
                    return None;
                }
                if len <= LUT {
                    let first = (code as usize) << (LUT - len);
                    let entry = (values[k] as u16) << 8 | len as u16;
                    lut[first..first + (1 << (LUT - len))].fill(entry);
                }
                code += 1;
                k += 1;
            }
            maxcode[len as usize] = if n > 0 { code - 1 } else { -1 };
            code <<= 1;
        }
        let values = values[..total].to_vec();
        Some(Table {
            lut,
            maxcode,
            delta,
            values,
        })
    }
}

/// An AC table with its value lookup: `(value, run, length)` per `AC_LUT`-bit prefix for codes
/// whose length plus extra bits fit (length 0: take the slow path).
#[derive(Clone)]
pub(super) struct AcTable {
    pub table: Table,
    fast: Vec<(i16, u8, u8)>,
}

impl AcTable {
    pub fn new(table: Table) -> AcTable {
        let mut fast = vec![(0i16, 0u8, 0u8); 1 << AC_LUT];
        for (prefix, slot) in fast.iter_mut().enumerate() {
            let e = table.lut[prefix >> (AC_LUT - LUT)];
            let (rs, len) = ((e >> 8) as u8, (e & 0xFF) as u32);
            let (run, size) = (rs >> 4, (rs & 15) as u32);
            if len == 0 || size == 0 || len + size > AC_LUT {
                continue;
            }
            let extra = (prefix >> (AC_LUT - len - size)) & ((1 << size) - 1);
            *slot = (extend(extra as i32, size) as i16, run, (len + size) as u8);
        }
        AcTable { table, fast }
    }
}

/// JPEG's EXTEND: `v`, `s` bits long, to a signed value.
fn extend(v: i32, s: u32) -> i32 {
    if s == 0 {
        0
    } else if v < 1 << (s - 1) {
        v - (1 << s) + 1
    } else {
        v
    }
}

/// Big-endian bits of entropy-coded data, with stuffed zeros removed. At a marker (or the end
/// of the data) it supplies zero bits and remembers the marker.
pub(super) struct Bits<'a> {
    data: &'a [u8],
    pub pos: usize,
    acc: u64,
    n: u32,
    pub marker: Option<u8>,
    /// Zero bits supplied after a marker or the end of the data.
    fed: u32,
    /// Data bits loaded into `acc` so far, counted from the start of the scan's data.
    loaded: u64,
}

impl<'a> Bits<'a> {
    pub fn new(data: &'a [u8], pos: usize) -> Bits<'a> {
        Bits::at(data, pos, 0)
    }

    /// A reader from byte `pos`, which is `origin` data bits (stuffing removed) into the scan.
    pub fn at(data: &'a [u8], pos: usize, origin: u64) -> Bits<'a> {
        Bits {
            data,
            pos,
            acc: 0,
            n: 0,
            marker: None,
            fed: 0,
            loaded: origin,
        }
    }

    /// Data bits read so far (the position of the next unread bit), counted from the start of
    /// the scan's data.
    pub fn consumed(&self) -> u64 {
        self.loaded - self.n as u64
    }

    /// Tops the buffer up to more than 32 bits: inline while four bytes without an FF follow
    /// (it runs once per few coefficients), a call to `refill_bytes` otherwise.
    #[inline(always)]
    pub fn refill(&mut self) {
        if self.n > 32 {
            return;
        }
        if self.marker.is_none() {
            if let Some(w) = self.data.get(self.pos..self.pos + 4) {
                let x = u32::from_be_bytes([w[0], w[1], w[2], w[3]]);
                let y = !x;
                if y.wrapping_sub(0x0101_0101) & !y & 0x8080_8080 == 0 {
                    self.acc |= (x as u64) << (32 - self.n);
                    self.n += 32;
                    self.loaded += 32;
                    self.pos += 4;
                    return;
                }
            }
        }
        self.refill_bytes();
    }

    /// `refill` byte by byte: stuffed zeros, markers, the end of the data.
    #[inline(never)]
    fn refill_bytes(&mut self) {
        while self.n <= 56 {
            let b = self.next_byte();
            self.acc |= (b as u64) << (56 - self.n);
            self.n += 8;
            self.loaded += 8;
        }
    }

    fn next_byte(&mut self) -> u8 {
        if self.marker.is_some() {
            self.fed += 8;
            return 0;
        }
        let Some(&b) = self.data.get(self.pos) else {
            // Not a real marker (FF 00 is never one): the data ended without one.
            self.marker = Some(0);
            self.fed += 8;
            return 0;
        };
        if b != 0xFF {
            self.pos += 1;
            return b;
        }
        // Fill bytes (FF FF) may precede a marker.
        while self.data.get(self.pos + 1) == Some(&0xFF) {
            self.pos += 1;
        }
        match self.data.get(self.pos + 1) {
            Some(0) => {
                self.pos += 2;
                0xFF
            }
            m => {
                // The marker stays in the data: `pos` points at its FF.
                self.marker = Some(m.copied().unwrap_or(0));
                self.fed += 8;
                0
            }
        }
    }

    /// The next `s` (1-31) bits; the buffer must hold them.
    #[inline]
    pub fn take(&mut self, s: u32) -> i32 {
        let v = (self.acc >> (64 - s)) as i32;
        self.acc <<= s;
        self.n -= s;
        v
    }

    /// `s` (0-16) bits as a signed value (EXTEND); the buffer must hold them.
    #[inline]
    pub fn signed(&mut self, s: u32) -> i32 {
        if s == 0 {
            return 0;
        }
        let v = self.take(s);
        extend(v, s)
    }

    /// The next Huffman symbol of `t`; the buffer must hold 16 bits.
    #[inline]
    pub fn symbol(&mut self, t: &Table) -> Option<u8> {
        let e = t.lut[(self.acc >> (64 - LUT)) as usize];
        if e != 0 {
            self.take((e & 0xFF) as u32);
            return Some((e >> 8) as u8);
        }
        for len in LUT + 1..=16 {
            let code = (self.acc >> (64 - len)) as i32;
            if code <= t.maxcode[len as usize] {
                self.take(len);
                return t
                    .values
                    .get((code + t.delta[len as usize]) as usize)
                    .copied();
            }
        }
        None
    }

    /// Drops the bits left before a restart marker and steps over the marker (RSTn expected).
    pub fn restart(&mut self, expect: u8) -> Option<()> {
        if self.overran() {
            return None;
        }
        (self.acc, self.n, self.fed) = (0, 0, 0);
        if self.marker.is_none() {
            // Only padding bits were left; the marker is next (after any fill bytes).
            if self.data.get(self.pos) != Some(&0xFF) {
                return None;
            }
            self.next_byte();
            self.fed = 0;
        }
        if self.marker != Some(0xD0 + expect) {
            return None;
        }
        self.marker = None;
        self.pos += 2;
        Some(())
    }

    /// The next AC coefficient when its code and extra bits fit `t`'s value lookup: `(value,
    /// zero run before it)`, consumed; `None` (nothing consumed) for the slow path. The buffer
    /// must hold `AC_LUT` bits.
    #[inline]
    pub fn fast_ac(&mut self, t: &AcTable) -> Option<(i32, usize)> {
        let (v, run, len) = t.fast[(self.acc >> (64 - AC_LUT)) as usize];
        if len == 0 {
            return None;
        }
        self.take(len as u32);
        Some((v as i32, run as usize))
    }

    /// True when the scan used exactly its data: nothing read past it and fewer than 8 data bits
    /// (the last byte's padding) left unread before the end of the data or a marker.
    pub fn used_all(&mut self) -> bool {
        if self.overran() || self.n - self.fed >= 8 {
            return false;
        }
        if self.marker.is_none() {
            self.next_byte();
        }
        self.marker.is_some()
    }

    /// Drops one bit (a guess that failed tries again one bit later).
    pub fn skip_bit(&mut self) {
        self.refill();
        self.take(1);
    }

    /// True when decoding read into the zero bits supplied after the data ended: the scan is
    /// longer than its data.
    pub fn overran(&self) -> bool {
        self.fed > self.n
    }

    /// True when the scan used exactly its data: fewer than 8 data bits left unread (the last
    /// byte's padding), then the end-of-image marker.
    pub fn at_end(&mut self) -> bool {
        if self.overran() || self.n - self.fed >= 8 {
            return false;
        }
        if self.marker.is_none() {
            self.next_byte();
        }
        self.marker == Some(0xD9)
    }
}

/// Where each zig-zag position lands in an `n` x `n` corner (row-major), or `DUMP` when
/// outside.
pub(super) fn corner_of(n: usize) -> [u8; 64] {
    const ZIGZAG: [u8; 64] = [
        0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27,
        20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
        58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
    ];
    let mut out = [DUMP as u8; 64];
    for (k, nat) in ZIGZAG.iter().enumerate() {
        let (r, c) = ((nat / 8) as usize, (nat % 8) as usize);
        if r < n && c < n {
            out[k] = (r * n + c) as u8;
        }
    }
    out
}

/// The slot of a block's coefficient array that takes the coefficients outside the corner, so
/// that keeping one is a store without a branch.
pub(super) const DUMP: usize = 16;

/// A block's kept coefficients (row-major n x n corner) and the `DUMP` slot.
pub(super) type Coefs = [i32; DUMP + 1];

/// What one block decode needs: its tables, the running DC prediction, and where the kept
/// coefficients go.
pub(super) struct BlockCtx<'t> {
    pub dc: &'t Table,
    pub ac: &'t AcTable,
    pub corner: &'t [u8; 64],
    /// Quantizer per zig-zag position.
    pub q: &'t [u16; 64],
}

impl Bits<'_> {
    /// Decodes one 8x8 block, keeping the dequantized coefficients of the `corner` in `out`
    /// (row-major n x n; the others are only parsed).
    #[inline]
    pub fn block(&mut self, c: &BlockCtx, pred: &mut i32, out: &mut Coefs) -> Option<()> {
        *out = [0; DUMP + 1];
        self.refill();
        let s = self.symbol(c.dc)? as u32;
        if s > 11 {
            return None;
        }
        *pred = pred.wrapping_add(self.signed(s));
        out[0] = pred.wrapping_mul(c.q[0] as i32);
        let mut k = 1usize;
        while k < 64 {
            self.refill();
            let (v, run, len) = c.ac.fast[(self.acc >> (64 - AC_LUT)) as usize];
            if len != 0 {
                self.take(len as u32);
                k += run as usize;
                self.keep(c, k, v as i32, out)?;
                k += 1;
                continue;
            }
            let rs = self.symbol(&c.ac.table)?;
            let (run, size) = ((rs >> 4) as usize, (rs & 15) as u32);
            if size == 0 {
                if run != 15 {
                    break;
                }
                k += 16;
                continue;
            }
            k += run;
            let v = self.signed(size);
            self.keep(c, k, v, out)?;
            k += 1;
        }
        Some(())
    }

    #[inline]
    fn keep(&self, c: &BlockCtx, k: usize, v: i32, out: &mut Coefs) -> Option<()> {
        let at = *c.corner.get(k)? as usize;
        out[at] = v.wrapping_mul(c.q[k] as i32);
        Some(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn over_full_tables_are_refused() {
        // Two codes of length 1 fill the code space; a third cannot exist.
        let mut counts = [0u8; 16];
        counts[0] = 2;
        assert!(Table::new(&counts, &[1, 2]).is_some());
        counts[0] = 3;
        assert!(Table::new(&counts, &[1, 2, 3]).is_none());
        // The same at a length past the lookup: 2 of length 1 then one of length 12.
        counts[0] = 2;
        counts[11] = 1;
        assert!(Table::new(&counts, &[1, 2, 3]).is_none());
        assert!(Table::new(&[0; 16], &[]).is_none());
    }

    #[test]
    fn codes_decode_to_their_symbols() {
        // Lengths 2, 2, 3, 3, 12: 00, 01, 100, 101, 110000000000.
        let mut counts = [0u8; 16];
        (counts[1], counts[2], counts[11]) = (2, 2, 1);
        let t = Table::new(&counts, &[10, 11, 12, 13, 14]).unwrap();
        // 01 100 110000000000 00 then padding ones.
        let data = [
            0b0110_0110,
            0b0000_0000,
            0b0000_0111,
            0xFF,
            0x00,
            0xFF,
            0xD9,
        ];
        let mut bits = Bits::new(&data, 0);
        let mut got = Vec::new();
        for _ in 0..4 {
            bits.refill();
            got.push(bits.symbol(&t).unwrap());
        }
        assert_eq!(got, [11, 12, 14, 10]);
    }
}
