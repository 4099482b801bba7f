//! Two decoders of one DEFLATE stream advanced in one loop on one core, for `inflate_split`'s
//! one-core mode (`inflate_split::interleaved`): the first half of the stream and the second
//! (found as for two cores). `inflate`'s literal loop waits on a chain lookup -> shift ->
//! lookup (`round`); a second, independent chain in the same loop fills the core while each
//! waits, as two rows do in `unfilter_sse2`.

use super::{finish, Bits, Code, Inflate, Round, LBITS, LMASK, NBITS, NLIT};
use crate::codec::inflate_out::Bytes;
use crate::codec::inflate_out::{put, Cursor};

/// Which decoder of a pair failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::codec) enum Failed {
    First,
    Second,
}

impl<'a> Inflate<'a> {
    /// Decodes `self` (into `out`) and `other` (into `out2`) in step until `self` is done or
    /// stands at or past bit `stop`, or `other` is done; `Err` names the decoder that met
    /// invalid data (the other one's state is intact).
    pub(in crate::codec) fn run_pair(
        &mut self,
        out: &mut Bytes,
        stop: u64,
        other: &mut Inflate<'a>,
        out2: &mut Bytes,
    ) -> Result<(), Failed> {
        use Failed::{First, Second};
        while !self.done && self.bits.position() < stop && !other.done {
            if !self.in_block {
                self.header(out).map_err(|_| First)?;
                continue;
            }
            if !other.in_block {
                other.header(out2).map_err(|_| Second)?;
                continue;
            }
            self.fast_pair_any(out, stop, other, out2)?;
            // One symbol each past what the loop would not take (as `run` does), so that both
            // move on near a limit.
            if self.in_block && self.bits.position() < stop {
                self.bits.refill();
                self.symbol(out).map_err(|_| First)?;
            }
            if other.in_block && !other.done {
                other.bits.refill();
                other.symbol(out2).map_err(|_| Second)?;
            }
        }
        Ok(())
    }

    /// `fast_pair`, compiled for BMI2 where the CPU has it (as `fast_any`).
    fn fast_pair_any(
        &mut self,
        out: &mut Bytes,
        stop: u64,
        other: &mut Inflate<'a>,
        out2: &mut Bytes,
    ) -> Result<(), Failed> {
        #[cfg(test)]
        if super::GENERIC.with(|g| g.get()) {
            return self.fast_pair(out, stop, other, out2);
        }
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("bmi2") {
            // SAFETY: the CPU has BMI2 (checked just above).
            return unsafe { self.fast_pair_bmi2(out, stop, other, out2) };
        }
        self.fast_pair(out, stop, other, out2)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "bmi2")]
    fn fast_pair_bmi2(
        &mut self,
        out: &mut Bytes,
        stop: u64,
        other: &mut Inflate<'a>,
        out2: &mut Bytes,
    ) -> Result<(), Failed> {
        self.fast_pair(out, stop, other, out2)
    }

    /// `fast` for two decoders: rounds of both while both are far enough from their limits.
    #[inline(always)]
    fn fast_pair(
        &mut self,
        out: &mut Bytes,
        stop: u64,
        other: &mut Inflate<'a>,
        out2: &mut Bytes,
    ) -> Result<(), Failed> {
        let last =
            (self.bits.b.len().saturating_sub(16)).min((stop / 8).saturating_sub(16) as usize);
        let last2 = other.bits.b.len().saturating_sub(16);
        let (Some(lut), Some(lut2)) = (self.lit.lut_multi(), other.lit.lut_multi()) else {
            return Err(if self.lit.lut_multi().is_none() {
                Failed::First
            } else {
                Failed::Second
            });
        };
        while self.bits.pos <= last
            && other.bits.pos <= last2
            && (out.room() > 300 || out.make_room(301))
            && (out2.room() > 300 || out2.make_room(301))
        {
            let (room, room2) = (out.room() - 300, out2.room() - 300);
            let (mut o, mut o2) = (out.cursor(), out2.cursor());
            let (mut b, mut b2) = (self.bits.clone(), other.bits.clone());
            let (end, end2) = (o.len + room, o2.len + room2);
            let (mut r, mut r2) = (Round::Go, Round::Go);
            while b.pos <= last && o.len <= end && b2.pos <= last2 && o2.len <= end2 {
                (r, r2) = round_pair(
                    [&mut b, &mut b2],
                    [&mut o, &mut o2],
                    [lut, lut2],
                    [&self.dist, &other.dist],
                );
                if r != Round::Go || r2 != Round::Go {
                    break;
                }
            }
            let (len, len2) = (o.len, o2.len);
            (self.bits, other.bits) = (b, b2);
            out.set_len(len);
            out2.set_len(len2);
            match (r, r2) {
                (Round::Fail, _) => return Err(Failed::First),
                (_, Round::Fail) => return Err(Failed::Second),
                (Round::Go, Round::Go) => {}
                _ => break,
            }
        }
        Ok(())
    }
}

/// `round` for two decoders with their literal lookups interleaved: both chains advance in
/// the same steps while both see literals; then each finishes its round on its own (a match,
/// or nothing: a literal lookup not taken is looked up again next round).
#[inline(always)]
fn round_pair(
    b: [&mut Bits; 2],
    o: [&mut Cursor; 2],
    lut: [&[u32; 1 << LBITS]; 2],
    dist: [&Code; 2],
) -> (Round, Round) {
    let [b0, b1] = b;
    let [o0, o1] = o;
    b0.refill();
    b1.refill();
    let mut e0 = lut[0][(b0.buf & LMASK) as usize];
    let mut e1 = lut[1][(b1.buf & LMASK) as usize];
    let mut k = 0;
    let (mut at0, mut at1) = (0, 0);
    let (Some(w0), Some(w1)) = (o0.ahead(), o1.ahead()) else {
        return (Round::Fail, Round::Fail);
    };
    while e0 & NLIT != 0 && e1 & NLIT != 0 && k < 4 {
        put(w0, &mut at0, e0);
        put(w1, &mut at1, e1);
        b0.buf >>= e0 & NBITS;
        b1.buf >>= e1 & NBITS;
        // The low 6 bits of `n` stay right (the lengths' sum is at most 48); the rest is
        // cleared after the loop.
        b0.n = b0.n.wrapping_sub(e0);
        b1.n = b1.n.wrapping_sub(e1);
        e0 = lut[0][(b0.buf & LMASK) as usize];
        e1 = lut[1][(b1.buf & LMASK) as usize];
        k += 1;
    }
    b0.n &= NBITS;
    b1.n &= NBITS;
    o0.len += at0;
    o1.len += at1;
    (finish(b0, o0, e0, dist[0]), finish(b1, o1, e1, dist[1]))
}
