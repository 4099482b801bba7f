//! Buffer pool of the device thread (vello `ResourcePool` style): buffers are keyed by usage and
//! size class (the next power of two, at least 4 KiB; sizes whose class would exceed the
//! adapter's max buffer size are their own class), handed out for one batch and returned after
//! its readback. Idle buffers are kept up to `max_idle_bytes`.

use std::collections::HashMap;

pub struct Pool {
    free: HashMap<(u32, u64), Vec<wgpu::Buffer>>,
    idle_bytes: u64,
    max_idle_bytes: u64,
    max_buffer: u64,
}

impl Pool {
    pub fn new(max_idle_bytes: u64, max_buffer: u64) -> Pool {
        Pool {
            free: HashMap::new(),
            idle_bytes: 0,
            max_idle_bytes,
            max_buffer,
        }
    }

    /// The size class of a request.
    pub fn class(&self, size: u64) -> u64 {
        let class = size.max(4096).next_power_of_two();
        if class > self.max_buffer {
            size.next_multiple_of(4)
        } else {
            class
        }
    }

    pub fn get(
        &mut self,
        device: &wgpu::Device,
        label: &str,
        usage: wgpu::BufferUsages,
        size: u64,
    ) -> wgpu::Buffer {
        let class = self.class(size);
        if let Some(buf) = self
            .free
            .get_mut(&(usage.bits(), class))
            .and_then(|v| v.pop())
        {
            self.idle_bytes -= class;
            return buf;
        }
        device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: class,
            usage,
            mapped_at_creation: false,
        })
    }

    /// Returns a buffer for reuse (or drops it when the pool holds enough).
    pub fn put(&mut self, buf: wgpu::Buffer) {
        let class = buf.size();
        if self.idle_bytes + class > self.max_idle_bytes {
            return;
        }
        self.idle_bytes += class;
        self.free
            .entry((buf.usage().bits(), class))
            .or_default()
            .push(buf);
    }
}
