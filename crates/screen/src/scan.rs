//! Byte-level CSV scanning (CSV 扫描): files are read in large blocks cut at
//! record boundaries, so that worker threads can split them independently;
//! records are split with `memchr` on the fast path (no quote in the line)
//! and by a small state machine for quoted fields.
//!
//! Dialect: `,` separates fields; a field that starts with `"` (after spaces)
//! is quoted, `""` inside it is a quote and it may hold `,` and line breaks;
//! a `"` inside an unquoted field is an ordinary character (as Python's `csv`
//! reads it). Fields are trimmed of spaces, tabs and `\r`; a line that holds
//! only spaces is blank and skipped.

use std::io::Read;

use memchr::{memchr, memchr2_iter, memrchr};

use crate::parse::trim;

/// Target block size.
pub const BLOCK: usize = 4 << 20;

/// The fields of one record: spans into a base buffer.
pub struct Fields<'a> {
    base: &'a [u8],
    spans: &'a [(usize, usize)],
}

impl<'a> Fields<'a> {
    /// Fields as spans `(start, end)` into `base`.
    pub fn new(base: &'a [u8], spans: &'a [(usize, usize)]) -> Fields<'a> {
        Fields { base, spans }
    }

    /// Number of fields.
    #[inline]
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when the record has no field.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The trimmed field `i` (empty when out of range).
    #[inline]
    pub fn get(&self, i: usize) -> &'a [u8] {
        match self.spans.get(i) {
            Some(&(a, b)) => self.base.get(a..b).unwrap_or(&[]),
            None => &[],
        }
    }

    fn is_blank(&self) -> bool {
        self.spans.len() == 1 && self.spans[0].0 == self.spans[0].1
    }
}

/// Reusable buffers of one worker for splitting records.
#[derive(Default)]
pub struct Splitter {
    spans: Vec<(usize, usize)>,
    scratch: Vec<u8>,
}

impl Splitter {
    /// Splits the record at `start` with the quote-aware parser (see [`split_quoted`]).
    pub fn split_quoted(&mut self, b: &[u8], start: usize) -> (usize, u64) {
        split_quoted(b, start, &mut self.spans, &mut self.scratch)
    }

    /// The fields of the last record split by [`Splitter::split_quoted`].
    pub fn fields(&self) -> Fields<'_> {
        Fields {
            base: &self.scratch,
            spans: &self.spans,
        }
    }
}

#[inline]
fn push_trimmed(spans: &mut Vec<(usize, usize)>, base: &[u8], a: usize, b: usize) {
    let f = &base[a..b];
    // fast check: most fields need no trimming
    match (f.first(), f.last()) {
        (Some(&x), Some(&y)) if x > b' ' && x != 0xE3 && y > b' ' && y != 0x80 => {
            spans.push((a, b))
        }
        _ => {
            let t = trim(f);
            let start = a + (t.as_ptr() as usize - f.as_ptr() as usize);
            spans.push((start, start + t.len()));
        }
    }
}

/// Calls `row(line, fields)` for every non-blank record of `block`, which
/// starts at a record boundary; `line` counts lines from 0 at the block
/// start. Returns the number of lines in the block.
pub fn for_each_record<F>(block: &[u8], sp: &mut Splitter, mut row: F) -> u64
where
    F: FnMut(u64, &Fields<'_>),
{
    let len = block.len();
    let mut pos = 0usize;
    let mut line = 0u64;
    let mut next_quote = memchr(b'"', block).unwrap_or(len);
    'outer: while pos < len {
        // fast path: split lines and fields in one memchr2 pass, as long as
        // the current line has no quote.
        sp.spans.clear();
        let mut field_start = pos;
        let scan_from = pos;
        for hit in memchr2_iter(b',', b'\n', &block[scan_from..]) {
            let at = scan_from + hit;
            if at > next_quote {
                // a quote in this line: take the slow path from the line start
                break;
            }
            push_trimmed(&mut sp.spans, block, field_start, at);
            field_start = at + 1;
            if block[at] == b'\n' {
                let f = Fields {
                    base: block,
                    spans: &sp.spans,
                };
                if !f.is_blank() {
                    row(line, &f);
                }
                line += 1;
                sp.spans.clear();
                pos = at + 1;
            }
        }
        if pos >= len {
            break;
        }
        // either the last line has no '\n', or it holds a quote
        let line_start = pos;
        let eol = memchr(b'\n', &block[line_start..]).map_or(len, |i| line_start + i);
        if next_quote >= eol {
            // last line without a line break, no quote
            sp.spans.clear();
            let mut a = line_start;
            for hit in memchr::memchr_iter(b',', &block[line_start..eol]) {
                push_trimmed(&mut sp.spans, block, a, line_start + hit);
                a = line_start + hit + 1;
            }
            push_trimmed(&mut sp.spans, block, a, eol);
            let f = Fields {
                base: block,
                spans: &sp.spans,
            };
            if !f.is_blank() {
                row(line, &f);
            }
            line += 1;
            pos = eol + 1;
            continue 'outer;
        }
        let (end, newlines) = split_quoted(block, line_start, &mut sp.spans, &mut sp.scratch);
        let f = Fields {
            base: &sp.scratch,
            spans: &sp.spans,
        };
        if !f.is_blank() {
            row(line, &f);
        }
        line += newlines;
        pos = end;
        next_quote = memchr(b'"', &block[pos.min(len)..]).map_or(len, |i| pos + i);
    }
    line
}

/// Splits one record starting at `start` with the quote-aware state machine;
/// fields are copied (unescaped, trimmed) into `scratch`. Returns the position
/// after the record's line break and the number of lines it spans.
pub fn split_quoted(
    b: &[u8],
    start: usize,
    spans: &mut Vec<(usize, usize)>,
    scratch: &mut Vec<u8>,
) -> (usize, u64) {
    spans.clear();
    scratch.clear();
    let len = b.len();
    let mut p = start;
    let mut newlines = 0u64;
    loop {
        let f0 = scratch.len();
        while p < len && (b[p] == b' ' || b[p] == b'\t') {
            p += 1;
        }
        if p < len && b[p] == b'"' {
            p += 1;
            loop {
                match memchr(b'"', &b[p..]) {
                    None => {
                        newlines += b[p..].iter().filter(|&&c| c == b'\n').count() as u64;
                        scratch.extend_from_slice(&b[p..]);
                        p = len;
                        break;
                    }
                    Some(i) => {
                        let part = &b[p..p + i];
                        newlines += part.iter().filter(|&&c| c == b'\n').count() as u64;
                        scratch.extend_from_slice(part);
                        p += i + 1;
                        if p < len && b[p] == b'"' {
                            scratch.push(b'"');
                            p += 1;
                        } else {
                            break;
                        }
                    }
                }
            }
        }
        // unquoted part (or text after a closing quote): up to ',' or '\n'
        let rest = memchr2(b',', b'\n', &b[p..]).map_or(len, |i| p + i);
        scratch.extend_from_slice(&b[p..rest]);
        p = rest;
        let t = trim(&scratch[f0..]);
        let a = f0 + (t.as_ptr() as usize - scratch[f0..].as_ptr() as usize);
        spans.push((a, a + t.len()));
        if p >= len {
            return (len + 1, newlines + 1);
        }
        if b[p] == b'\n' {
            return (p + 1, newlines + 1);
        }
        p += 1; // ','
    }
}

fn memchr2(a: u8, b: u8, hay: &[u8]) -> Option<usize> {
    memchr::memchr2(a, b, hay)
}

/// The end (just past the line break) of the last complete record in `buf`,
/// which starts at a record boundary; `None` when no record is complete.
pub fn last_record_end(buf: &[u8]) -> Option<usize> {
    let len = buf.len();
    let mut pos = 0usize;
    let mut last = None;
    loop {
        let Some(q) = memchr(b'"', &buf[pos..]).map(|i| pos + i) else {
            return memrchr(b'\n', &buf[pos..]).map(|i| pos + i + 1).or(last);
        };
        if let Some(nl) = memrchr(b'\n', &buf[pos..q]) {
            last = Some(pos + nl + 1);
        }
        // does this quote open a quoted field? (only spaces/tabs since the
        // previous ',' or line start)
        let mut k = q;
        while k > 0 && (buf[k - 1] == b' ' || buf[k - 1] == b'\t') {
            k -= 1;
        }
        let opens = k == 0 || buf[k - 1] == b',' || buf[k - 1] == b'\n';
        if !opens {
            pos = q + 1;
            continue;
        }
        let mut p = q + 1;
        loop {
            match memchr(b'"', &buf[p..]) {
                None => return last, // the quoted field goes on past the buffer
                Some(i) => {
                    let c = p + i;
                    if c + 1 < len && buf[c + 1] == b'"' {
                        p = c + 2;
                    } else if c + 1 == len {
                        return last; // cannot tell yet whether `""` follows
                    } else {
                        pos = c + 1;
                        break;
                    }
                }
            }
        }
        if pos >= len {
            return last;
        }
    }
}

/// Reads a file (or decoded bytes) as blocks cut at record boundaries.
pub struct BlockReader {
    inner: Box<dyn Read + Send>,
    carry: Vec<u8>,
    eof: bool,
}

impl BlockReader {
    /// `carry` holds bytes already read past the header.
    pub fn new(inner: Box<dyn Read + Send>, carry: Vec<u8>) -> BlockReader {
        BlockReader {
            inner,
            carry,
            eof: false,
        }
    }

    /// Puts bytes back in front of what is still to be read.
    pub fn unread(&mut self, mut bytes: Vec<u8>) {
        bytes.extend_from_slice(&self.carry);
        self.carry = bytes;
    }

    /// Fills `buf` with the next block; `Ok(false)` at the end.
    pub fn next_block(&mut self, buf: &mut Vec<u8>) -> std::io::Result<bool> {
        buf.clear();
        buf.append(&mut self.carry);
        let mut target = BLOCK.max(buf.len() + BLOCK / 2);
        loop {
            while !self.eof && buf.len() < target {
                let have = buf.len();
                buf.resize(target, 0);
                match self.inner.read(&mut buf[have..]) {
                    Ok(0) => {
                        buf.truncate(have);
                        self.eof = true;
                    }
                    Ok(n) => buf.truncate(have + n),
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => buf.truncate(have),
                    Err(e) => {
                        buf.truncate(have);
                        return Err(e);
                    }
                }
            }
            if buf.is_empty() {
                return Ok(false);
            }
            if self.eof {
                return Ok(true);
            }
            if let Some(cut) = last_record_end(buf) {
                self.carry.extend_from_slice(&buf[cut..]);
                buf.truncate(cut);
                return Ok(true);
            }
            target *= 2; // one record longer than the block
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Vec<(u64, Vec<String>)> {
        let mut sp = Splitter::default();
        let mut out = Vec::new();
        for_each_record(text.as_bytes(), &mut sp, |line, f| {
            out.push((
                line,
                (0..f.len())
                    .map(|i| String::from_utf8_lossy(f.get(i)).into_owned())
                    .collect(),
            ))
        });
        out
    }

    fn r(line: u64, f: &[&str]) -> (u64, Vec<String>) {
        (line, f.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn plain_crlf_blank_spaces() {
        assert_eq!(
            records("a,b\r\n\r\n  \n c , d\t\ne,f"),
            vec![r(0, &["a", "b"]), r(3, &["c", "d"]), r(4, &["e", "f"])]
        );
        assert_eq!(records("a,,\n"), vec![r(0, &["a", "", ""])]);
    }

    #[test]
    fn quotes() {
        assert_eq!(
            records("x,\"1,234.50\",y\n\"a\"\"b\",\" c \"\n"),
            vec![r(0, &["x", "1,234.50", "y"]), r(1, &["a\"b", "c"])]
        );
        // a line break inside quotes; a quote inside an unquoted field
        assert_eq!(
            records("1,\"two\nlines\",3\n4,约\"5,6\n7,8"),
            vec![
                r(0, &["1", "two\nlines", "3"]),
                r(2, &["4", "约\"5", "6"]),
                r(3, &["7", "8"])
            ]
        );
        assert_eq!(records(" \"a\" , b\n"), vec![r(0, &["a", "b"])]);
        assert_eq!(records("\"a\",b"), vec![r(0, &["a", "b"])]);
    }

    #[test]
    fn cut_points() {
        assert_eq!(last_record_end(b"a,b\nc,d\ne"), Some(8));
        assert_eq!(last_record_end(b"a,b"), None);
        assert_eq!(last_record_end(b"a,\"b\nc\nd"), None);
        assert_eq!(last_record_end(b"x\na,\"b\nc\nd"), Some(2));
        assert_eq!(last_record_end(b"a,\"b\nc\",d\ne"), Some(10));
        assert_eq!(last_record_end(b"a,x\"b\nc"), Some(6));
        assert_eq!(last_record_end(b"a,\"b\"\"\nc\"\nd"), Some(10));
    }

    #[test]
    fn blocks_cover_the_file() {
        let mut text = String::new();
        for i in 0..300_000 {
            if i % 1000 == 7 {
                text.push_str(&format!("{i},\"q\n{i}\",z\n"));
            } else {
                text.push_str(&format!("{i},abc,def\n"));
            }
        }
        let mut rd = BlockReader::new(
            Box::new(std::io::Cursor::new(text.clone().into_bytes())),
            Vec::new(),
        );
        let mut buf = Vec::new();
        let mut all = Vec::new();
        let mut n = 0;
        while rd.next_block(&mut buf).unwrap() {
            all.extend_from_slice(&buf);
            let mut sp = Splitter::default();
            for_each_record(&buf, &mut sp, |l, f| {
                let fs: Vec<String> = (0..f.len())
                    .map(|i| String::from_utf8_lossy(f.get(i)).into_owned())
                    .collect();
                assert_eq!(
                    f.len(),
                    3,
                    "line {l} {fs:?} block start {:?}",
                    String::from_utf8_lossy(&buf[..40])
                );
                n += 1;
            });
        }
        assert_eq!(all, text.as_bytes());
        assert_eq!(n, 300_000);
    }
}
