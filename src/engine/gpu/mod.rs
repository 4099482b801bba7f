//! GPU executor: runs a plan's steps as WGSL compute kernels (`shaders/`, registered in
//! [`shaders`]) through wgpu, with the same math as `engine::cpu` (resampling bit for bit).
//!
//! Threading: a dedicated thread owns the device and queue ([`device`]); `run` plans the job on
//! the caller's thread ([`plan`]), sends it over a channel and awaits a oneshot, so tokio
//! workers never block on `device.poll`. Jobs waiting together share one submission. Images
//! live in storage buffers (one u32 per RGBA8 pixel), so readback needs no 256-byte row
//! padding: one `copy_buffer_to_buffer` of the final image per job.

mod bands;
mod coeffs;
mod device;
mod filter;
pub mod plan;
mod pool;
pub mod preprocess;
mod resample;
pub mod shaders;

use super::{EngineError, Executor, Image, Step};
use std::sync::{mpsc, Arc};
use std::time::Duration;
use tokio::sync::oneshot;

/// How to choose an adapter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GpuOptions {
    /// Accept a software adapter (lavapipe / llvmpipe, `DeviceType::Cpu`): tests only.
    pub allow_software: bool,
}

/// Where the time of one job went (`run_timed`): each phase is submitted and waited for apart.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GpuTimings {
    /// Writing the pixels and params into device buffers.
    pub upload: Duration,
    /// All kernels of the plan.
    pub dispatch: Duration,
    /// Copying the result to a mappable buffer, mapping it and copying it out.
    pub readback: Duration,
}

/// The wgpu executor. Cheap to share (`Arc`); dropping it stops the device thread.
pub struct GpuExecutor {
    tx: mpsc::Sender<device::Job>,
    info: wgpu::AdapterInfo,
    limits: plan::Limits,
}

impl GpuExecutor {
    /// Opens the best adapter (discrete, then integrated, then virtual; software only when
    /// `allow_software`) with the adapter's own buffer-size and dispatch limits, and starts the
    /// device thread.
    pub fn new(opts: GpuOptions) -> Result<GpuExecutor, EngineError> {
        let (ready_tx, ready_rx) = mpsc::channel();
        let (tx, rx) = mpsc::channel::<device::Job>();
        std::thread::Builder::new()
            .name("ipsd-gpu".into())
            .spawn(move || match open(opts) {
                Ok((dev, queue, info, limits)) => {
                    let worker = device::Worker::new(dev, queue, &limits);
                    let _ = ready_tx.send(Ok((info, limits)));
                    worker.serve(rx);
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                }
            })
            .map_err(|e| EngineError::Gpu(format!("cannot start the GPU thread: {e}")))?;
        let (info, limits) = ready_rx
            .recv()
            .map_err(|_| EngineError::Gpu("GPU thread died during start".into()))??;
        tracing::info!(adapter = %info.name, backend = ?info.backend, kind = ?info.device_type, max_binding = limits.max_binding, "GPU executor ready");
        Ok(GpuExecutor { tx, info, limits })
    }

    pub fn adapter_name(&self) -> &str {
        &self.info.name
    }

    /// True for lavapipe / llvmpipe and other CPU adapters.
    pub fn is_software(&self) -> bool {
        self.info.device_type == wgpu::DeviceType::Cpu
    }

    /// Lowers the largest buffer binding the planner uses (never above the device's limit), so
    /// that images are split into more, smaller dispatches. Tests use it to exercise tiling.
    pub fn with_max_binding_size(mut self, bytes: u64) -> GpuExecutor {
        self.limits.max_binding = self.limits.max_binding.min(bytes.max(1024));
        self
    }

    /// The limits jobs are planned with.
    pub fn limits(&self) -> plan::Limits {
        self.limits
    }

    fn submit(
        &self,
        img: Arc<Image>,
        steps: &[Step],
        timed: bool,
    ) -> Result<oneshot::Receiver<device::Reply>, EngineError> {
        let program = plan::plan(img.width, img.height, steps, self.limits)?;
        let (reply, rx) = oneshot::channel();
        let job = device::Job {
            input: img,
            program,
            timed,
            reply,
        };
        self.tx
            .send(job)
            .map_err(|_| EngineError::Gpu("GPU thread stopped".into()))?;
        Ok(rx)
    }

    /// Runs `steps` and blocks the calling thread (not for async contexts: use `run`).
    pub fn run_blocking(&self, img: Image, steps: &[Step]) -> Result<Image, EngineError> {
        if let Some(done) = trivial(&img, steps) {
            return done;
        }
        let rx = self.submit(Arc::new(img), steps, false)?;
        Ok(rx.blocking_recv().map_err(|_| stopped())??.0)
    }

    /// Runs `steps` alone, with upload, dispatch and readback submitted and timed apart
    /// (benches). Blocks the calling thread.
    pub fn run_timed(
        &self,
        img: Image,
        steps: &[Step],
    ) -> Result<(Image, GpuTimings), EngineError> {
        let rx = self.submit(Arc::new(img), steps, true)?;
        let (img, t) = rx.blocking_recv().map_err(|_| stopped())??;
        Ok((img, t.unwrap_or_default()))
    }
}

fn stopped() -> EngineError {
    EngineError::Gpu("GPU thread stopped before answering".into())
}

/// Plans with nothing to do on the device: no steps (the input is the answer), or a zero-area
/// image on the way (no buffer can be bound for it; the planner never emits one).
fn trivial(img: &Image, steps: &[Step]) -> Option<Result<Image, EngineError>> {
    let (_, empty) = plan::sizes(img, steps);
    if steps.is_empty() {
        Some(Ok(img.clone()))
    } else if empty {
        let msg = format!("zero-area image in a plan on {}x{}", img.width, img.height);
        Some(Err(EngineError::InvalidStep("gpu", msg)))
    } else {
        None
    }
}

#[async_trait::async_trait]
impl Executor for GpuExecutor {
    fn describe(&self) -> String {
        format!("gpu ({})", self.info.name)
    }

    async fn run(&self, img: Image, steps: Vec<Step>) -> Result<Image, EngineError> {
        self.run_shared(Arc::new(img), steps).await
    }

    /// Uploads straight from the shared pixels: no copy of a decode that other renders share.
    async fn run_shared(&self, img: Arc<Image>, steps: Vec<Step>) -> Result<Image, EngineError> {
        if let Some(done) = trivial(&img, &steps) {
            return done;
        }
        let rx = self.submit(img, &steps, false)?;
        Ok(rx.await.map_err(|_| stopped())??.0)
    }
}

/// Adapter preference: lower is better; `None` = not acceptable.
fn rank(info: &wgpu::AdapterInfo, opts: GpuOptions) -> Option<u8> {
    match info.device_type {
        wgpu::DeviceType::DiscreteGpu => Some(0),
        wgpu::DeviceType::IntegratedGpu => Some(1),
        wgpu::DeviceType::VirtualGpu => Some(2),
        wgpu::DeviceType::Other => Some(3),
        wgpu::DeviceType::Cpu => opts.allow_software.then_some(4),
    }
}

type Opened = (wgpu::Device, wgpu::Queue, wgpu::AdapterInfo, plan::Limits);

fn open(opts: GpuOptions) -> Result<Opened, EngineError> {
    let backends = wgpu::Backends::VULKAN | wgpu::Backends::METAL;
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle();
    desc.backends = backends;
    let instance = wgpu::Instance::new(desc);
    let adapters = pollster::block_on(instance.enumerate_adapters(backends));
    let compute = |a: &wgpu::Adapter| {
        a.get_downlevel_capabilities()
            .flags
            .contains(wgpu::DownlevelFlags::COMPUTE_SHADERS)
    };
    let adapter = adapters
        .into_iter()
        .filter(compute)
        .filter_map(|a| rank(&a.get_info(), opts).map(|r| (r, a)))
        .min_by_key(|(r, _)| *r)
        .map(|(_, a)| a)
        .ok_or_else(|| {
            EngineError::Gpu(format!(
                "no Vulkan adapter{}",
                if opts.allow_software {
                    ""
                } else {
                    " (hardware)"
                }
            ))
        })?;
    let info = adapter.get_info();
    // Ask for everything the adapter offers: large images need big buffers and bindings.
    let required_limits = adapter.limits();
    let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
        label: Some("ipsd"),
        required_features: wgpu::Features::empty(),
        required_limits: required_limits.clone(),
        experimental_features: Default::default(),
        memory_hints: wgpu::MemoryHints::Performance,
        trace: Default::default(),
    }))
    .map_err(|e| EngineError::Gpu(format!("cannot open {}: {e}", info.name)))?;
    let l = device.limits();
    let limits = plan::Limits {
        max_binding: l.max_storage_buffer_binding_size.min(l.max_buffer_size) & !255,
        storage_align: l.min_storage_buffer_offset_alignment as u64,
        max_groups: l.max_compute_workgroups_per_dimension,
        max_buffer: l.max_buffer_size,
    };
    Ok((device, queue, info, limits))
}
