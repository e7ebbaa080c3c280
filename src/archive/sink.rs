//! Collects parse-time anomalies, keeping at most [`PER_CODE_CAP`] of each
//! code so an archive with 100,000 odd entries cannot flood the report.

use crate::reader::Anomaly;

/// Most anomalies kept per code; the rest are summarised in one extra anomaly.
pub(crate) const PER_CODE_CAP: usize = 64;

#[derive(Debug, Default)]
pub(crate) struct Sink {
    list: Vec<Anomaly>,
    counts: Vec<(&'static str, usize)>,
}

impl Sink {
    pub(crate) fn push(&mut self, anomaly: Anomaly) {
        let slot = match self.counts.iter_mut().find(|(c, _)| *c == anomaly.code) {
            Some((_, n)) => n,
            None => {
                self.counts.push((anomaly.code, 0));
                match self.counts.last_mut() {
                    Some((_, n)) => n,
                    None => return,
                }
            }
        };
        *slot = slot.saturating_add(1);
        if *slot <= PER_CODE_CAP {
            self.list.push(anomaly);
        }
    }

    pub(crate) fn finish(mut self) -> Vec<Anomaly> {
        for (code, n) in &self.counts {
            if *n > PER_CODE_CAP {
                self.list.push(Anomaly::new(
                    code,
                    format!(
                        "{} more occurrences of {code} not listed (only the first {PER_CODE_CAP} are)",
                        n - PER_CODE_CAP
                    ),
                ));
            }
        }
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caps_each_code() {
        let mut s = Sink::default();
        for _ in 0..(PER_CODE_CAP + 10) {
            s.push(Anomaly::new("a", "x"));
        }
        s.push(Anomaly::new("b", "y"));
        let out = s.finish();
        assert_eq!(out.len(), PER_CODE_CAP + 2);
        assert!(out.last().unwrap().detail.starts_with("10 more"));
    }
}
