//! The device thread: owns the wgpu device, queue, pipelines (created once from the shader
//! table) and buffer pool. Jobs arrive over a channel; those waiting together are encoded into
//! one command buffer and one submission, then every job's readback is mapped after a single
//! blocking poll, on this thread only (tokio workers never call `device.poll`).

use super::plan::{Limits, Program, Res};
use super::pool::Pool;
use super::shaders::{Binding, ShaderId, ShaderInfo};
use super::GpuTimings;
use crate::engine::{EngineError, Image};
use std::num::NonZeroU64;
use std::sync::mpsc;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::oneshot;

/// At most this many jobs, and about this many bytes of images, go into one submission.
const MAX_BATCH_JOBS: usize = 16;
const MAX_BATCH_BYTES: u64 = 512 << 20;
/// Idle buffers kept for reuse.
const POOL_IDLE_BYTES: u64 = 1 << 30;

/// What a job answers: the image, and the phase timings of a timed job.
pub type Reply = Result<(Image, Option<GpuTimings>), EngineError>;

pub struct Job {
    /// Read only for the upload: pixels that other renders share are not copied first.
    pub input: Arc<Image>,
    pub program: Program,
    pub timed: bool,
    pub reply: oneshot::Sender<Reply>,
}

impl Job {
    fn bytes(&self) -> u64 {
        self.program.buffers.iter().sum()
    }
}

pub struct Worker {
    device: wgpu::Device,
    queue: wgpu::Queue,
    pipelines: Vec<(wgpu::ComputePipeline, wgpu::BindGroupLayout)>,
    pool: Pool,
}

/// A job with its buffers acquired and its input written.
struct Live {
    job: Job,
    bufs: Vec<wgpu::Buffer>,
    aux: wgpu::Buffer,
    alpha: wgpu::Buffer,
    staging: wgpu::Buffer,
    out_bytes: u64,
}

fn gpu_err(e: impl std::fmt::Display) -> EngineError {
    EngineError::Gpu(e.to_string())
}

impl Worker {
    pub fn new(device: wgpu::Device, queue: wgpu::Queue, limits: &Limits) -> Worker {
        device.on_uncaptured_error(std::sync::Arc::new(
            |e: wgpu::Error| tracing::error!(error = %e, "uncaptured wgpu error"),
        ));
        let pipelines = ShaderId::ALL
            .iter()
            .map(|id| pipeline(&device, id.info()))
            .collect();
        Worker {
            device,
            queue,
            pipelines,
            pool: Pool::new(POOL_IDLE_BYTES, limits.max_buffer),
        }
    }

    /// Serves jobs until every sender is gone.
    pub fn serve(mut self, rx: mpsc::Receiver<Job>) {
        while let Ok(first) = rx.recv() {
            let mut batch = vec![first];
            let mut bytes = batch[0].bytes();
            while !batch[0].timed && batch.len() < MAX_BATCH_JOBS && bytes < MAX_BATCH_BYTES {
                match rx.try_recv() {
                    Ok(job) if job.timed => {
                        self.run_batch(std::mem::take(&mut batch));
                        batch.push(job);
                        break;
                    }
                    Ok(job) => {
                        bytes += job.bytes();
                        batch.push(job);
                    }
                    Err(_) => break,
                }
            }
            // A panic fails the batch (its callers see the thread's answer dropped), not the thread.
            let run = std::panic::AssertUnwindSafe(|| {
                if batch.len() == 1 && batch[0].timed {
                    if let Some(job) = batch.pop() {
                        self.run_timed(job);
                    }
                } else if !batch.is_empty() {
                    self.run_batch(batch);
                }
            });
            if std::panic::catch_unwind(run).is_err() {
                tracing::error!("GPU batch panicked");
            }
        }
    }

    fn acquire(&mut self, job: Job) -> Live {
        let p = &job.program;
        let usage = wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_DST
            | wgpu::BufferUsages::COPY_SRC;
        let bufs: Vec<_> = p
            .buffers
            .iter()
            .map(|&b| self.pool.get(&self.device, "ipsd.image", usage, b))
            .collect();
        let aux_usage = wgpu::BufferUsages::UNIFORM
            | wgpu::BufferUsages::STORAGE
            | wgpu::BufferUsages::COPY_DST;
        let aux = self
            .pool
            .get(&self.device, "ipsd.aux", aux_usage, p.aux.len() as u64);
        let alpha_usage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST;
        let alpha = self.pool.get(
            &self.device,
            "ipsd.alpha",
            alpha_usage,
            p.alpha_slots as u64 * 4,
        );
        let out_bytes = p.width as u64 * p.height as u64 * 4;
        let read = wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST;
        let staging = self
            .pool
            .get(&self.device, "ipsd.readback", read, out_bytes);
        Live {
            job,
            bufs,
            aux,
            alpha,
            staging,
            out_bytes,
        }
    }

    /// The single upload of a job: its pixels and its aux blob (params + weight tables).
    fn upload(&self, l: &Live) {
        self.queue.write_buffer(&l.bufs[0], 0, &l.job.input.data);
        self.queue.write_buffer(&l.aux, 0, &l.job.program.aux);
    }

    fn encode_dispatches(&self, enc: &mut wgpu::CommandEncoder, l: &Live) {
        enc.clear_buffer(&l.alpha, 0, None);
        let p = &l.job.program;
        let mut pass = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("ipsd.job"),
            timestamp_writes: None,
        });
        for d in &p.dispatches {
            let (pipeline, layout) = &self.pipelines[d.shader as usize];
            let info = d.shader.info();
            let entries: Vec<wgpu::BindGroupEntry> = d
                .resources
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let (buffer, offset, size) = match *r {
                        Res::Params => (&l.aux, d.params_offset, info.params.size as u64),
                        Res::Coeffs => {
                            (&l.aux, p.coeff_offset, p.aux.len() as u64 - p.coeff_offset)
                        }
                        Res::Alpha => (&l.alpha, 0, p.alpha_slots as u64 * 4),
                        Res::Image {
                            buffer,
                            offset,
                            size,
                        } => (&l.bufs[buffer], offset, size),
                    };
                    let size = NonZeroU64::new(size);
                    wgpu::BindGroupEntry {
                        binding: i as u32,
                        resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                            buffer,
                            offset,
                            size,
                        }),
                    }
                })
                .collect();
            let group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some(info.label),
                layout,
                entries: &entries,
            });
            pass.set_pipeline(pipeline);
            pass.set_bind_group(0, &group, &[]);
            pass.dispatch_workgroups(d.groups[0], d.groups[1], 1);
        }
    }

    fn encode_readback(&self, enc: &mut wgpu::CommandEncoder, l: &Live) {
        enc.copy_buffer_to_buffer(&l.bufs[l.job.program.output], 0, &l.staging, 0, l.out_bytes);
    }

    fn encoder(&self) -> wgpu::CommandEncoder {
        self.device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("ipsd.batch"),
            })
    }

    /// Submits `enc` and blocks this thread until the GPU is idle.
    fn submit_wait(&self, enc: wgpu::CommandEncoder) -> Result<(), EngineError> {
        self.queue.submit(Some(enc.finish()));
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(|_| ())
            .map_err(gpu_err)
    }

    /// Maps every staging buffer, waits once, and copies the pixels out.
    fn read_all(&self, lives: &[Live]) -> Vec<Result<Vec<u8>, EngineError>> {
        let (tx, rx) = mpsc::channel();
        for (i, l) in lives.iter().enumerate() {
            let tx = tx.clone();
            l.staging
                .slice(..l.out_bytes)
                .map_async(wgpu::MapMode::Read, move |r| {
                    let _ = tx.send((i, r));
                });
        }
        drop(tx);
        let polled = self.device.poll(wgpu::PollType::wait_indefinitely());
        let mut mapped = vec![
            Err(EngineError::Gpu(format!(
                "readback never completed ({polled:?})"
            )));
            lives.len()
        ];
        for (i, r) in rx.try_iter() {
            mapped[i] = r.map_err(gpu_err).and_then(|()| {
                let view = lives[i]
                    .staging
                    .slice(..lives[i].out_bytes)
                    .get_mapped_range()
                    .map_err(|e| gpu_err(format!("{e:?}")))?;
                let data = view.to_vec();
                drop(view);
                lives[i].staging.unmap();
                Ok(data)
            });
        }
        mapped
    }

    fn finish(
        &mut self,
        lives: Vec<Live>,
        results: Vec<Result<Vec<u8>, EngineError>>,
        timings: Option<GpuTimings>,
    ) {
        for (l, r) in lives.into_iter().zip(results) {
            let p = &l.job.program;
            let r = r.map(|data| {
                (
                    Image {
                        width: p.width,
                        height: p.height,
                        data,
                    },
                    timings,
                )
            });
            // Buffers of a failed job may still be mapped or poisoned: drop them.
            let reuse = r.is_ok();
            let _ = l.job.reply.send(r);
            if reuse {
                for b in l.bufs.into_iter().chain([l.aux, l.alpha, l.staging]) {
                    self.pool.put(b);
                }
            }
        }
    }

    fn run_batch(&mut self, jobs: Vec<Job>) {
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let lives: Vec<Live> = jobs.into_iter().map(|j| self.acquire(j)).collect();
        let mut enc = self.encoder();
        for l in &lives {
            self.upload(l);
            self.encode_dispatches(&mut enc, l);
            self.encode_readback(&mut enc, l);
        }
        self.queue.submit(Some(enc.finish()));
        let mut results = self.read_all(&lives);
        let errors = [
            pollster::block_on(oom.pop()),
            pollster::block_on(scope.pop()),
        ];
        if let Some(e) = errors.into_iter().flatten().next() {
            tracing::error!(error = %e, jobs = lives.len(), "GPU batch failed");
            results = lives.iter().map(|_| Err(gpu_err(&e))).collect();
        }
        self.finish(lives, results, None);
    }

    /// One job with upload, dispatch and readback submitted and waited for separately.
    fn run_timed(&mut self, job: Job) {
        let scope = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let l = self.acquire(job);
        let t0 = Instant::now();
        self.upload(&l);
        let mut r = self.submit_wait(self.encoder());
        let t1 = Instant::now();
        let mut enc = self.encoder();
        self.encode_dispatches(&mut enc, &l);
        r = r.and(self.submit_wait(enc));
        let t2 = Instant::now();
        let mut enc = self.encoder();
        self.encode_readback(&mut enc, &l);
        self.queue.submit(Some(enc.finish()));
        let mut results = self.read_all(std::slice::from_ref(&l));
        let t3 = Instant::now();
        if let Some(e) = pollster::block_on(scope.pop()) {
            results = vec![Err(gpu_err(e))];
        } else if let Err(e) = r {
            results = vec![Err(e)];
        }
        let timings = GpuTimings {
            upload: t1 - t0,
            dispatch: t2 - t1,
            readback: t3 - t2,
        };
        self.finish(vec![l], results, Some(timings));
    }
}

fn pipeline(
    device: &wgpu::Device,
    info: &ShaderInfo,
) -> (wgpu::ComputePipeline, wgpu::BindGroupLayout) {
    let entries: Vec<wgpu::BindGroupLayoutEntry> = info
        .bindings
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let ty = match b {
                Binding::Uniform => wgpu::BufferBindingType::Uniform,
                Binding::Storage => wgpu::BufferBindingType::Storage { read_only: true },
                Binding::StorageRw => wgpu::BufferBindingType::Storage { read_only: false },
            };
            let min = if *b == Binding::Uniform {
                NonZeroU64::new(info.params.size as u64)
            } else {
                None
            };
            wgpu::BindGroupLayoutEntry {
                binding: i as u32,
                visibility: wgpu::ShaderStages::COMPUTE,
                ty: wgpu::BindingType::Buffer {
                    ty,
                    has_dynamic_offset: false,
                    min_binding_size: min,
                },
                count: None,
            }
        })
        .collect();
    let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some(info.label),
        entries: &entries,
    });
    let pl = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(info.label),
        bind_group_layouts: &[Some(&layout)],
        immediate_size: 0,
    });
    let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(info.label),
        source: wgpu::ShaderSource::Wgsl(info.source.into()),
    });
    let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(info.label),
        layout: Some(&pl),
        module: &module,
        entry_point: Some("main"),
        compilation_options: Default::default(),
        cache: None,
    });
    (pipeline, layout)
}
