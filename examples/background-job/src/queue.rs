//! A queue consumer: jobs arrive on a channel and workers process them; the
//! attribute counts one event per job into the availability and latency
//! SLOs (an `Err` is bad; slower than 50ms is bad for latency).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{Mutex, mpsc};

/// One unit of queued work.
#[derive(Debug, Clone, Copy)]
pub struct Job {
    /// Sequence number.
    pub id: u64,
    /// Whether processing it fails (injected).
    pub fails: bool,
    /// How long processing takes.
    pub work: Duration,
}

/// Why a job failed.
#[derive(Debug)]
pub struct JobError(pub u64);

impl std::fmt::Display for JobError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "job {} failed", self.0)
    }
}

/// Processes one job: the unit the queue SLOs count.
#[slo::measure("queue-availability", "queue-latency")]
pub async fn process(job: Job) -> Result<u64, JobError> {
    tokio::time::sleep(job.work).await;
    if job.fails {
        return Err(JobError(job.id));
    }
    Ok(job.id)
}

/// Runs `workers` consumers on `jobs` until the channel closes; returns how
/// many jobs they took.
pub async fn consume(jobs: mpsc::Receiver<Job>, workers: usize) -> u64 {
    let jobs = Arc::new(Mutex::new(jobs));
    let taken = Arc::new(AtomicU64::new(0));
    let mut tasks = Vec::new();
    for _ in 0..workers {
        let jobs = jobs.clone();
        let taken = taken.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let job = jobs.lock().await.recv().await;
                let Some(job) = job else { break };
                taken.fetch_add(1, Ordering::Relaxed);
                // A failed job is counted by the attribute; a real worker
                // would retry or dead-letter it here.
                let _ = process(job).await;
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    taken.load(Ordering::Relaxed)
}
