//! Tests of `inflate` and `inflate_split` against independent zlib implementations: streams
//! written by flate2 (miniz_oxide: stored, fixed and dynamic blocks) and fdeflate (one block),
//! decoded by miniz_oxide.

use crate::codec::inflate::{zlib_body, Bad, Inflate, GENERIC, TRIPLES};
use crate::codec::inflate_out::{Bytes, Out};
use crate::codec::inflate_split::{self, ADOPTED};
use flate2::{read::ZlibDecoder, write::ZlibEncoder, Compression};
use std::io::{Read, Write};

/// Filtered-image-like bytes: smooth rows with noise, flat runs and repeated stretches.
fn sample(n: usize, seed: u64) -> Vec<u8> {
    let mut s = seed | 1;
    let mut rnd = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let mut v = Vec::with_capacity(n);
    while v.len() < n {
        let r = rnd();
        match r % 7 {
            0 => v.extend(std::iter::repeat_n(
                (r >> 8) as u8,
                (r >> 16) as usize % 300,
            )),
            1 if v.len() > 40_000 => {
                let back = 1 + (r >> 8) as usize % 32_000;
                let len = 3 + (r >> 24) as usize % 200;
                let from = v.len() - back;
                for i in 0..len {
                    v.push(v[from + i]);
                }
            }
            _ => {
                for _ in 0..64 {
                    let r = rnd();
                    v.push(
                        ((r & 7) as u8)
                            .wrapping_sub(4)
                            .wrapping_add((r >> 40) as u8 & 1),
                    );
                }
            }
        }
    }
    v.truncate(n);
    v
}

fn zlib(data: &[u8], level: u32) -> Vec<u8> {
    let mut e = ZlibEncoder::new(Vec::new(), Compression::new(level));
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn serial(z: &[u8], size: usize) -> Result<Vec<u8>, Bad> {
    let mut out = Bytes::new(size);
    let mut d = Inflate::new(zlib_body(z).ok_or(Bad)?, 0);
    d.run(&mut out, u64::MAX)?;
    (d.done() && out.len() == size)
        .then(|| out.into_vec())
        .ok_or(Bad)
}

fn split(z: &[u8], size: usize) -> Result<Vec<u8>, Bad> {
    inflate_split::inflate(zlib_body(z).ok_or(Bad)?, size, |_| (), || true).map(|i| i.into_vec())
}

fn interleaved(z: &[u8], size: usize) -> Result<Vec<u8>, Bad> {
    inflate_split::interleaved(zlib_body(z).ok_or(Bad)?, size, |_| ()).map(|i| i.into_vec())
}

/// A whole decode of a zlib stream to `size` bytes.
type Way = fn(&[u8], usize) -> Result<Vec<u8>, Bad>;

/// The two ways of decoding in halves: on two cores, and in one loop on one.
const HALVES: [(&str, Way); 2] = [("two cores", split), ("one loop", interleaved)];

fn reference(z: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    ZlibDecoder::new(z).read_to_end(&mut v).unwrap();
    v
}

#[test]
fn serial_matches_miniz_on_every_block_kind() {
    for (n, seed) in [(0, 1), (1, 2), (100, 3), (70_000, 4), (1 << 20, 5)] {
        let data = sample(n, seed);
        for level in [0, 1, 6, 9] {
            let z = zlib(&data, level);
            assert_eq!(reference(&z), data);
            assert_eq!(serial(&z, n), Ok(data.clone()), "n {n} level {level}");
        }
        let z = fdeflate::compress_to_vec(&data);
        assert_eq!(serial(&z, n), Ok(data.clone()), "fdeflate n {n}");
    }
}

/// The literal loop both ways (compiled for BMI2 where the CPU has it, and for any x86-64) on
/// short literal codes, where one lookup emits three literals.
#[test]
fn literal_loop_both_ways_with_three_literal_lookups() {
    let data = sample(1 << 20, 11);
    for z in [zlib(&data, 6), fdeflate::compress_to_vec(&data)] {
        for generic in [false, true] {
            GENERIC.with(|g| g.set(generic));
            let before = TRIPLES.with(|t| t.get());
            assert_eq!(
                serial(&z, data.len()),
                Ok(data.clone()),
                "generic {generic}"
            );
            assert!(TRIPLES.with(|t| t.get()) > before, "generic {generic}");
        }
    }
    GENERIC.with(|g| g.set(false));
}

#[test]
fn serial_refuses_a_wrong_size_and_bad_headers() {
    let data = sample(10_000, 6);
    let z = zlib(&data, 6);
    assert_eq!(serial(&z, 9_999), Err(Bad));
    assert_eq!(serial(&z, 10_001), Err(Bad));
    assert!(zlib_body(&[0x78, 0x9D]).is_none(), "header check");
    assert!(zlib_body(&[0x79, 0x9C]).is_none(), "method 9");
    assert!(zlib_body(&[0x78, 0xBB]).is_none(), "preset dictionary");
    // Block type 3 does not exist.
    assert_eq!(serial(&[0x78, 0x9C, 0x07, 0, 0, 0, 0, 0], 0), Err(Bad));
}

/// Both ways of finding the second half's footing are used and give miniz_oxide's bytes, on
/// two cores and in one loop; both decoding styles of the loop (BMI2 and any x86-64).
#[test]
fn halves_match_miniz_and_meet_in_the_middle() {
    for (n, seed) in [(3 << 20, 7), (5 << 20, 8)] {
        let data = sample(n, seed);
        let streams = [
            ("level 1", zlib(&data, 1)),
            ("level 6", zlib(&data, 6)),
            ("level 9", zlib(&data, 9)),
            ("fdeflate", fdeflate::compress_to_vec(&data)),
        ];
        for (name, z) in streams {
            for (way, f) in HALVES {
                for generic in [false, true] {
                    GENERIC.with(|g| g.set(generic));
                    let before = ADOPTED.with(|a| a.get());
                    assert_eq!(f(&z, n), Ok(data.clone()), "{name} n {n} {way} {generic}");
                    assert_eq!(ADOPTED.with(|a| a.get()), before + 1, "{name} {way}: met");
                }
            }
        }
    }
    GENERIC.with(|g| g.set(false));
}

/// The one-loop decode hands `early` the output in order, up to about the middle, while the
/// second half is decoded alongside.
#[test]
fn one_loop_hands_early_output_in_order() {
    let data = sample(4 << 20, 12);
    let z = fdeflate::compress_to_vec(&data);
    let mut seen = 0;
    let early = |b: &mut [u8]| {
        assert_eq!(&b[..], &data[..b.len()]);
        assert!(b.len() >= seen);
        seen = b.len();
    };
    let out = inflate_split::interleaved(zlib_body(&z).unwrap(), data.len(), early);
    assert_eq!(out.map(|i| i.into_vec()), Ok(data.clone()));
    assert!(seen > data.len() / 3 && seen < data.len() * 2 / 3, "{seen}");
}

#[test]
fn halves_of_stored_blocks_decode_serially() {
    let data = sample(3 << 20, 9);
    let z = zlib(&data, 0);
    for (way, f) in HALVES {
        assert_eq!(f(&z, data.len()), Ok(data.clone()), "{way}");
    }
}

/// Damaged streams: never a panic, and the two-halves results are the serial one.
#[test]
fn damaged_streams_give_the_serial_result() {
    let data = sample(600_000, 10);
    let mut s = 0x9E37_79B9_7F4A_7C15u64;
    for (i, z) in [zlib(&data, 6), fdeflate::compress_to_vec(&data)]
        .iter()
        .enumerate()
    {
        for k in 0..60 {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let mut bad = z.clone();
            let at = 2 + (s >> 33) as usize % (bad.len() - 2);
            bad[at] ^= 1 << (s >> 20 & 7);
            let want = serial(&bad, data.len());
            for (way, f) in HALVES {
                assert_eq!(f(&bad, data.len()), want, "{i} {k} {way}");
            }
        }
        for cut in (0..z.len()).step_by(z.len() / 40) {
            assert!(serial(&z[..cut], data.len()).is_err());
            for (way, f) in HALVES {
                assert!(f(&z[..cut], data.len()).is_err(), "{way} cut {cut}");
            }
        }
    }
}

/// The header search's word-at-a-time filter finds exactly the positions the test one position
/// at a time finds, on compressed and on random bytes, at any start.
#[test]
fn header_candidates_equal_the_plain_search() {
    let data = sample(400_000, 13);
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    let noise: Vec<u8> = (0..70_000)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s as u8
        })
        .collect();
    for b in [zlib(&data, 6), zlib(&data, 1), noise] {
        for (from, len) in [
            (0, 8 * 70_000),
            (13, 8 * 5_000),
            (8 * 1000 + 5, 8 * 999 + 3),
        ] {
            let to = (from + len).min(b.len() as u64 * 8);
            let plain: Vec<u64> = (from..to).filter(|&p| super::plausible(&b, p)).collect();
            let fast: Vec<u64> = super::candidates(&b, from, to).collect();
            assert_eq!(fast, plain, "from {from}");
            assert!(!plain.is_empty());
        }
    }
}
