//! Executor selection at start-up (`--executor auto|gpu|cpu`): `auto` takes a hardware GPU
//! when one is present and otherwise the CPU; a software Vulkan adapter (lavapipe, llvmpipe)
//! is used only when explicitly allowed, as tests do. The choice is logged and shown by
//! `/healthz`.

use super::cpu::CpuExecutor;
use super::gpu::{GpuExecutor, GpuOptions};
use super::Executor;
use crate::config::ExecutorChoice;
use std::sync::Arc;

/// Builds the executor the configuration asks for.
pub fn select(choice: ExecutorChoice, allow_software: bool) -> anyhow::Result<Arc<dyn Executor>> {
    let exec: Arc<dyn Executor> = match choice {
        ExecutorChoice::Cpu => Arc::new(CpuExecutor),
        ExecutorChoice::Gpu => {
            let g = GpuExecutor::new(GpuOptions { allow_software })
                .map_err(|e| anyhow::anyhow!("--executor gpu: no usable GPU adapter: {e}"))?;
            Arc::new(g)
        }
        ExecutorChoice::Auto => match GpuExecutor::new(GpuOptions {
            allow_software: false,
        }) {
            Ok(g) => Arc::new(g),
            Err(e) => {
                tracing::info!(reason = %e, "no hardware GPU; using the CPU executor");
                Arc::new(CpuExecutor)
            }
        },
    };
    tracing::info!(executor = %exec.describe(), "render executor selected");
    Ok(exec)
}
