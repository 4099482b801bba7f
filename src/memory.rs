//! Process memory set-up, applied by `ipsd serve` before the runtime starts its threads, and the
//! idle trim that housekeeping runs. Image buffers are large (a 12 MP RGBA decode is 48 MB) and
//! short-lived, one or more per render. glibc's defaults serve them badly:
//!
//! - Blocks above the (dynamic, at most 32 MiB) mmap threshold get fresh zero pages from the
//!   kernel on every request and go back on `free`: each render then pays a page fault per 4 KiB
//!   of every buffer, measured at 15–25 % of a thumbnail's CPU time (BENCHMARKS.md, Allocator).
//! - Each thread gets its own arena (up to 8 per core), and freed buffers stay in the arena of
//!   the thread that freed them, so peak RSS grows with the number of threads that ever decoded.
//!
//! `tune_malloc` raises the mmap threshold to 512 MiB (image buffers come from the heap and are
//! reused), keeps freed memory up to 64 MiB at the top of the heap (`M_TRIM_THRESHOLD`: room for
//! a 12 MP buffer; 256 MiB measured no faster and held ~100 MiB more at one client), and
//! limits the arenas to the render slots (one per core by default), which bounds what is kept.
//! `trim` hands free heap pages back to the kernel (`malloc_trim`): housekeeping calls it when
//! no render has run for a while, so an idle service does not hold its peak.
//!
//! Operators keep the last word: when the environment already sets `GLIBC_TUNABLES` or any
//! `MALLOC_*` variable, or `IPSD_MALLOC_TUNING=off`, nothing is changed. On other platforms and
//! C libraries both functions do nothing.

/// What `tune_malloc` decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tuning {
    /// The settings were applied (`arenas`: the arena limit).
    Applied { arenas: usize },
    /// The environment configures malloc itself, or `IPSD_MALLOC_TUNING=off`.
    LeftToEnvironment,
    /// glibc refused a setting (its number), or this is not glibc.
    Unavailable(&'static str),
}

/// Largest block served from the heap instead of its own mapping.
pub const MMAP_THRESHOLD: usize = 512 << 20;
/// Free memory kept at the top of the heap before glibc returns it on `free`.
pub const TRIM_THRESHOLD: usize = 64 << 20;

/// Whether the environment (read through `var`) leaves malloc to us.
pub fn should_tune(var: impl Fn(&str) -> Option<String>, names: &[String]) -> bool {
    let off = var("IPSD_MALLOC_TUNING").is_some_and(|v| v.eq_ignore_ascii_case("off"));
    let preset = names
        .iter()
        .any(|n| n == "GLIBC_TUNABLES" || n.starts_with("MALLOC_"));
    !off && !preset
}

/// Applies the settings above with `arenas` arenas (at least 1), unless the environment says
/// otherwise. Call before any thread is started.
pub fn tune_malloc(arenas: usize) -> Tuning {
    let names: Vec<String> = std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .collect();
    if !should_tune(|k| std::env::var(k).ok(), &names) {
        return Tuning::LeftToEnvironment;
    }
    apply(arenas.max(1))
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn apply(arenas: usize) -> Tuning {
    let arenas_c = arenas.min(i32::MAX as usize) as libc::c_int;
    let settings = [
        (
            "M_MMAP_THRESHOLD",
            libc::M_MMAP_THRESHOLD,
            MMAP_THRESHOLD as libc::c_int,
        ),
        (
            "M_TRIM_THRESHOLD",
            libc::M_TRIM_THRESHOLD,
            TRIM_THRESHOLD as libc::c_int,
        ),
        ("M_ARENA_MAX", libc::M_ARENA_MAX, arenas_c),
    ];
    for (name, param, value) in settings {
        // SAFETY: mallopt only changes allocator parameters; it is called before other threads
        // exist (see `tune_malloc`) and glibc serialises it against allocation anyway.
        if unsafe { libc::mallopt(param, value) } != 1 {
            return Tuning::Unavailable(name);
        }
    }
    Tuning::Applied { arenas }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn apply(_arenas: usize) -> Tuning {
    Tuning::Unavailable("not glibc")
}

/// Returns free heap memory to the kernel; true if any was released.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
pub fn trim() -> bool {
    // SAFETY: malloc_trim is thread-safe and only releases memory no allocation owns.
    unsafe { libc::malloc_trim(0) == 1 }
}

/// Returns free heap memory to the kernel (nothing to do off glibc).
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
pub fn trim() -> bool {
    false
}

/// Decides when housekeeping trims: once per idle period, i.e. when no render was admitted
/// since the previous look and none is running.
#[derive(Debug)]
pub struct IdleTrim {
    seen: u64,
    trimmed: bool,
}

impl Default for IdleTrim {
    fn default() -> Self {
        IdleTrim {
            seen: u64::MAX,
            trimmed: false,
        }
    }
}

impl IdleTrim {
    /// Called at each look with the admission counter and the pixels admitted now; true when
    /// memory should be trimmed now.
    pub fn due(&mut self, admissions: u64, admitted: u64) -> bool {
        if admissions != self.seen {
            (self.seen, self.trimmed) = (admissions, false);
            return false;
        }
        let due = !self.trimmed && admitted == 0;
        self.trimmed |= due;
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Env = Vec<(&'static str, &'static str)>;

    fn names(pairs: &Env) -> Vec<String> {
        pairs.iter().map(|(n, _)| n.to_string()).collect()
    }

    fn tunes(pairs: Env) -> bool {
        let get = |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        };
        should_tune(get, &names(&pairs))
    }

    #[test]
    fn tunes_unless_the_environment_configures_malloc() {
        assert!(tunes(vec![("PATH", "/bin"), ("IPSD_LISTEN", "x")]));
        for preset in [
            "MALLOC_ARENA_MAX",
            "MALLOC_MMAP_THRESHOLD_",
            "GLIBC_TUNABLES",
        ] {
            assert!(!tunes(vec![(preset, "1")]), "{preset}");
        }
        assert!(!tunes(vec![("IPSD_MALLOC_TUNING", "OFF")]));
        assert!(tunes(vec![("IPSD_MALLOC_TUNING", "on")]));
    }

    #[test]
    fn idle_trim_fires_once_per_idle_period() {
        let mut t = IdleTrim::default();
        assert!(!t.due(0, 0), "first look only records the counter");
        assert!(t.due(0, 0), "idle since the last look");
        assert!(!t.due(0, 0), "once per idle period");
        assert!(!t.due(3, 500), "renders were admitted");
        assert!(!t.due(3, 500), "a render is still running");
        assert!(t.due(3, 0));
        assert!(!t.due(4, 0));
        assert!(t.due(4, 0));
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn glibc_accepts_the_settings() {
        // Safe to apply in the test process: it only changes allocator parameters.
        assert_eq!(apply(2), Tuning::Applied { arenas: 2 });
        let big = vec![1u8; 64 << 20];
        drop(big);
        trim();
    }
}
