//! Decompression limits of the archives we read (压缩包解压限制): an XLSX, XLSM, XLSB or ODS file is
//! a ZIP archive, and a few kilobytes of it can inflate to gigabytes (a "zip bomb"). Every archive
//! reader keeps to [`LIMITS`]: each part at most [`Limits::part`] bytes inflated, all parts together
//! at most [`Limits::total`], and no part above [`Limits::grace`] that inflates more than
//! [`Limits::ratio`] times its compressed size. Past a limit the file is refused ([`Refusal`]), with
//! a message in Chinese and English; nothing is read from it.
//!
//! Two ways to keep to them: the fast XLSX reader checks the sizes the archive declares
//! ([`check_declared`]) and counts what it inflates against them ([`Meter`]); calamine inflates
//! parts on its own, so before it opens an archive, [`check_inflated`] inflates every part once
//! (into nothing) and counts.

use std::io::{Read, Seek};

/// The limits of one archive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest inflated part.
    pub part: u64,
    /// Largest inflated size of all parts together.
    pub total: u64,
    /// Largest ratio of inflated to compressed size of a part larger than `grace`.
    pub ratio: u64,
    /// Parts up to this size are never refused for their ratio (tiny XML parts compress well).
    pub grace: u64,
}

/// The limits of every archive we read. A registry workbook of 100,000 households (about 40 MB
/// compressed) inflates to some hundreds of megabytes at a ratio of 5 to 20; a part over 1 MiB
/// that inflates 250 times its size or more is not a spreadsheet anyone typed.
pub const LIMITS: Limits = Limits {
    part: 1 << 30,
    total: 2 << 30,
    ratio: 250,
    grace: 1 << 20,
};

/// Why an archive is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A part inflates to more than [`Limits::part`].
    Part { name: String, limit: u64 },
    /// All parts together inflate to more than [`Limits::total`].
    Total { limit: u64 },
    /// A part inflates more than [`Limits::ratio`] times its compressed size.
    Ratio { name: String, limit: u64 },
    /// A part inflates to more than the archive says it does, or cannot be inflated at all.
    Damaged { name: String },
}

impl Refusal {
    /// The message for a county clerk.
    pub fn zh(&self) -> String {
        match self {
            Refusal::Part { name, limit } => format!(
                "文件中的部件 {name} 解压后超过 {} MB，疑似压缩炸弹，已拒绝读取",
                limit >> 20
            ),
            Refusal::Total { limit } => format!(
                "文件解压后总大小超过 {} MB，疑似压缩炸弹，已拒绝读取",
                limit >> 20
            ),
            Refusal::Ratio { name, limit } => {
                format!("文件中的部件 {name} 压缩比超过 {limit} 倍，疑似压缩炸弹，已拒绝读取")
            }
            Refusal::Damaged { name } => {
                format!(
                    "文件中的部件 {name} 已损坏（解压后的大小与声明不符或无法解压），已拒绝读取"
                )
            }
        }
    }

    /// The message in English.
    pub fn en(&self) -> String {
        match self {
            Refusal::Part { name, limit } => format!(
                "the part {name} inflates to more than {} MB (a zip bomb?): the file is refused",
                limit >> 20
            ),
            Refusal::Total { limit } => format!(
                "the file inflates to more than {} MB in all (a zip bomb?): the file is refused",
                limit >> 20
            ),
            Refusal::Ratio { name, limit } => format!(
                "the part {name} inflates more than {limit} times its size (a zip bomb?): the file is refused"
            ),
            Refusal::Damaged { name } => format!(
                "the part {name} is damaged (it inflates to another size than declared, or not at all): the file is refused"
            ),
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} / {}", self.zh(), self.en())
    }
}

impl std::error::Error for Refusal {}

impl Limits {
    /// Whether a part of `inflated` bytes, `compressed` in the archive, keeps to the limits.
    fn part_ok(&self, name: &str, inflated: u64, compressed: u64) -> Result<(), Refusal> {
        if inflated > self.part {
            return Err(Refusal::Part {
                name: name.to_owned(),
                limit: self.part,
            });
        }
        if inflated > self.grace && inflated / compressed.max(1) >= self.ratio {
            return Err(Refusal::Ratio {
                name: name.to_owned(),
                limit: self.ratio,
            });
        }
        Ok(())
    }
}

/// Checks the sizes an archive declares for its parts. The reader must then count what it inflates
/// with a [`Meter`], which holds each part to its declared size.
pub fn check_declared<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    limits: &Limits,
) -> Result<(), Refusal> {
    let mut total = 0u64;
    for i in 0..zip.len() {
        let Ok(f) = zip.by_index_raw(i) else {
            return Err(Refusal::Damaged {
                name: format!("#{i}"),
            });
        };
        limits.part_ok(&part_name(&f, i), f.size(), f.compressed_size())?;
        total = total.saturating_add(f.size());
        if total > limits.total {
            return Err(Refusal::Total {
                limit: limits.total,
            });
        }
    }
    Ok(())
}

/// Inflates every part of an archive into nothing and checks the sizes it really has: for readers
/// (calamine) that inflate parts on their own. Something that is not a ZIP archive passes (the
/// reader finds out what it is).
pub fn check_inflated<R: Read + Seek>(reader: R, limits: &Limits) -> Result<(), Refusal> {
    let Ok(mut zip) = zip::ZipArchive::new(reader) else {
        return Ok(());
    };
    check_declared(&mut zip, limits)?;
    for i in 0..zip.len() {
        let damaged = |name: &str| Refusal::Damaged {
            name: name.to_owned(),
        };
        let mut f = zip.by_index(i).map_err(|_| damaged(&format!("#{i}")))?;
        let name = part_name(&f, i);
        let mut meter = Meter::new(&name, f.size());
        let mut buf = [0u8; 64 * 1024];
        loop {
            let n = f.read(&mut buf).map_err(|_| damaged(&name))?;
            if n == 0 {
                break;
            }
            meter.add(n as u64)?;
        }
    }
    Ok(())
}

/// The name of the part `i` (its number if the name cannot be read).
fn part_name<R: Read>(f: &zip::read::ZipFile<'_, R>, i: usize) -> String {
    f.name()
        .map_or_else(|_| format!("#{i}"), |n| n.into_owned())
}

/// Counts the bytes inflated of one part against the size its archive declared (already checked
/// against the limits by [`check_declared`]).
#[derive(Debug)]
pub struct Meter {
    name: String,
    declared: u64,
    inflated: u64,
}

impl Meter {
    pub fn new(name: &str, declared: u64) -> Meter {
        Meter {
            name: name.to_owned(),
            declared,
            inflated: 0,
        }
    }

    /// Counts `n` more bytes inflated; refuses the part once it is larger than declared.
    pub fn add(&mut self, n: u64) -> Result<(), Refusal> {
        self.inflated = self.inflated.saturating_add(n);
        if self.inflated > self.declared {
            return Err(Refusal::Damaged {
                name: self.name.clone(),
            });
        }
        Ok(())
    }
}
