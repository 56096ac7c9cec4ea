//! Reading a file's rows on a second thread — and doing there whatever work on a row needs nothing but
//! the row (parsing and checking an order line) — while the import writes on this one. Rows travel in
//! batches and emptied batches travel back, so the reading thread refills the same strings: no row
//! costs an allocation, and no string is freed on the other thread.

use std::sync::mpsc::{self, Receiver, SyncSender};

use crate::error::{Error, FileProblem, Result};
use crate::io::csv_source::{CsvSource, SourceRow};

/// Rows per batch: large enough that handing over costs nothing per row, small enough to keep the
/// memory of a few batches in flight trivial.
const BATCH: usize = 512;

struct Batch<T> {
    rows: Vec<SourceRow>,
    /// What `prepare` made of each row.
    prepared: Vec<T>,
    filled: usize,
}

impl<T> Default for Batch<T> {
    fn default() -> Batch<T> {
        Batch { rows: Vec::new(), prepared: Vec::new(), filled: 0 }
    }
}

enum Message<T> {
    Rows(Batch<T>),
    /// The file was read to its end: nothing more will come.
    End,
    Failed(Error),
}

/// The rows of a CSV source, read ahead on their own thread, each with what `prepare` made of it there.
pub struct ReadAhead<T> {
    full: Receiver<Message<T>>,
    empty: SyncSender<Batch<T>>,
    current: Option<Batch<T>>,
    next: usize,
    path: String,
}

impl<T: Default + Send + 'static> ReadAhead<T> {
    /// Starts reading; `prepare` runs on the reading thread for every row, into a value it may reuse.
    pub fn start(mut source: CsvSource, mut prepare: impl FnMut(&SourceRow, &mut T) + Send + 'static) -> ReadAhead<T> {
        let path = source.path().display().to_string();
        let (full_tx, full) = mpsc::sync_channel::<Message<T>>(4);
        let (empty, empty_rx) = mpsc::sync_channel::<Batch<T>>(8);
        std::thread::spawn(move || {
            loop {
                let mut batch = empty_rx.try_recv().unwrap_or_default();
                batch.filled = 0;
                let mut at_end = false;
                while batch.filled < BATCH {
                    if batch.rows.len() == batch.filled {
                        batch.rows.push(SourceRow::default());
                        batch.prepared.push(T::default());
                    }
                    match source.read_into(&mut batch.rows[batch.filled]) {
                        Ok(true) => {
                            prepare(&batch.rows[batch.filled], &mut batch.prepared[batch.filled]);
                            batch.filled += 1;
                        }
                        Ok(false) => {
                            at_end = true;
                            break;
                        }
                        Err(error) => {
                            let _ = full_tx.send(Message::Failed(error));
                            return;
                        }
                    }
                }
                // A send fails only when the import stopped listening (an error, a cancel): stop too.
                if full_tx.send(Message::Rows(batch)).is_err() {
                    return;
                }
                if at_end {
                    let _ = full_tx.send(Message::End);
                    return;
                }
            }
        });
        ReadAhead { full, empty, current: None, next: 0, path }
    }

    /// The next row that is not blank, and what `prepare` made of it (to take or leave); None at the
    /// end of the file.
    pub fn next_row(&mut self) -> Result<Option<(&SourceRow, &mut T)>> {
        loop {
            if self.current.as_ref().is_some_and(|batch| self.next < batch.filled) {
                self.next += 1;
                let index = self.next - 1;
                return Ok(self.current.as_mut().map(|batch| (&batch.rows[index], &mut batch.prepared[index])));
            }
            if let Some(done) = self.current.take() {
                // Back to the reader to be filled again; if its queue is full it makes a new one.
                let _ = self.empty.try_send(done);
            }
            match self.full.recv() {
                Ok(Message::Rows(batch)) => {
                    self.current = Some(batch);
                    self.next = 0;
                }
                Ok(Message::End) => return Ok(None),
                Ok(Message::Failed(error)) => return Err(error),
                // The reading thread ended without saying the file was done: never pass that off as
                // the end of the file (rows would be lost without a word).
                Err(_) => {
                    return Err(Error::BadFile { file: self.path.clone(), line: 0, problem: FileProblem::Stopped });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::csv_source::SourceOptions;

    fn read_all(text: &str) -> Result<Vec<(u64, Vec<String>)>> {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("rows.csv");
        std::fs::write(&path, text).expect("write");
        let mut rows =
            ReadAhead::start(CsvSource::open(&path, SourceOptions::default())?, |row, fields: &mut usize| {
                *fields = row.fields.len();
            });
        let mut read = Vec::new();
        while let Some((row, fields)) = rows.next_row()? {
            assert_eq!(*fields, row.fields.len(), "prepared on the reading thread, for this row");
            read.push((row.line, row.fields.clone()));
        }
        Ok(read)
    }

    #[test]
    fn every_row_arrives_once_in_order_across_batches() {
        let count = BATCH * 3 + 7;
        let mut text = String::from("a,b\n");
        for i in 0..count {
            text.push_str(&format!("{i},\"x\ny\"\n"));
        }
        let rows = read_all(&text).expect("rows");
        assert_eq!(rows.len(), count);
        for (i, (line, fields)) in rows.iter().enumerate() {
            assert_eq!(fields, &[i.to_string(), "x\ny".to_string()]);
            assert_eq!(*line, 2 + 2 * i as u64, "each row spans two lines");
        }
        assert!(read_all("a,b\n").expect("no rows").is_empty());
    }

    #[test]
    fn stopping_early_lets_the_reader_go() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("rows.csv");
        let text: String =
            std::iter::once("a\n".to_string()).chain((0..BATCH * 20).map(|i| format!("{i}\n"))).collect();
        std::fs::write(&path, text).expect("write");
        for _ in 0..20 {
            let mut rows =
                ReadAhead::start(CsvSource::open(&path, SourceOptions::default()).expect("open"), |_, _: &mut ()| {});
            assert_eq!(rows.next_row().expect("row").map(|(r, _)| r.fields[0].clone()).as_deref(), Some("0"));
            // Dropped here, with the reader blocked on a full queue: it must notice and end.
        }
        // A file still open by twenty stuck readers could not be removed on every platform.
        dir.close().expect("the readers let go of the file");
    }
}
