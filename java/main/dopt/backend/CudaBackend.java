package dopt.backend;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRelease;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemAllocHost;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuMemFreeHost;
import static jcuda.driver.JCudaDriver.cuMemcpyDtoH;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoD;
import static jcuda.driver.JCudaDriver.cuMemsetD32;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuModuleUnload;

import dopt.tensor.Backend;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.JCudaDriver;

/**
 * {@link Backend} on one NVIDIA GPU: our own kernels ({@code cuda/*.cu}, loaded from the jar's
 * fatbin, else PTX, with {@code cuModuleLoadData}) launched through the JCuda driver API only
 * ({@code org.jcuda:jcuda}, which needs nothing but the driver's libcuda.so.1: no cuBLAS).
 *
 * <p>The device is {@code localRank} modulo the devices this process sees (CUDA_VISIBLE_DEVICES
 * applies), on its primary context, which every call makes current first: MPJ's multicore ranks
 * are threads of one JVM and may share a device. Host↔device copies go through a pinned staging
 * buffer. Calls on one backend run in order on the default stream; downloads and the
 * scalar-returning calls wait for the kernels before them. One backend is for one thread.
 */
public final class CudaBackend implements Backend {
    private static final int THREADS = 256;
    /** Pinned staging for host↔device copies: 8 MiB (2 M floats) per transfer chunk. */
    private static final int STAGING_FLOATS = 2 << 20;
    private static final int MAX_PARTIALS = 1024;

    private final CUdevice device;
    private final CUcontext context;
    private final String name;
    private final int multiprocessors;
    private final List<CUmodule> modules = new ArrayList<>();
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final Pointer pinned = new Pointer();
    private final FloatBuffer staging;
    private final CUdeviceptr partials = new CUdeviceptr(), hist = new CUdeviceptr();
    private final Scratch rowLoss = new Scratch(), labels = new Scratch(), counts = new Scratch(), plan = new Scratch(),
            topIndex = new Scratch(), topValue = new Scratch();
    private boolean closed;
    private static volatile String linkFailure;

    /** A device buffer of this backend. */
    static final class DeviceArray implements Buffer {
        final CUdeviceptr ptr = new CUdeviceptr();
        private final long length;
        private final CudaBackend owner;
        private boolean freed;

        private DeviceArray(CudaBackend owner, long length) {
            this.owner = owner;
            this.length = length;
        }

        @Override public long length() { return length; }

        @Override
        public void close() {
            if (freed) return;
            freed = true;
            if (owner.closed) return; // the backend's context is gone, and the memory with it
            owner.enter();
            cuMemFree(ptr);
        }
    }

    /** Device memory reused across calls, grown on demand (4- or 8-byte elements). */
    private static final class Scratch {
        CUdeviceptr ptr;
        long bytes;

        CUdeviceptr atLeast(long need) {
            if (bytes < need) {
                if (ptr != null) cuMemFree(ptr);
                ptr = new CUdeviceptr();
                cuMemAlloc(ptr, Math.max(need, 256));
                bytes = Math.max(need, 256);
            }
            return ptr;
        }

        void free() {
            if (ptr != null) cuMemFree(ptr);
            ptr = null;
        }
    }

    /**
     * Opens device {@code localRank mod #devices}. Every reason it cannot (JCuda's native library
     * not loadable, no driver, no device, no kernels in the jar, a kernel image the driver refuses)
     * becomes a {@link CudaUnavailableException} naming it.
     */
    public static CudaBackend open(int localRank) throws CudaUnavailableException {
        if (localRank < 0) throw new IllegalArgumentException("local rank must be >= 0: " + localRank);
        return open(devices -> Math.floorMod(localRank, devices));
    }

    /**
     * Opens the device that {@code ordinalOf} picks from the number of devices this process sees
     * (at least 1): {@link GpuChoice#ordinal} for a rank of a job.
     */
    public static CudaBackend open(java.util.function.IntUnaryOperator ordinalOf) throws CudaUnavailableException {
        try {
            JCudaDriver.setExceptionsEnabled(true);
            cuInit(0);
        } catch (LinkageError e) {
            // later attempts only see "Could not initialize class": keep the first, telling reason
            if (linkFailure == null) linkFailure = firstLine(e);
            throw new CudaUnavailableException("JCuda's driver library could not be loaded (is there an NVIDIA driver, "
                    + "libcuda.so.1?): " + linkFailure, e);
        } catch (CudaException e) {
            throw new CudaUnavailableException("cuInit failed: " + firstLine(e), e);
        }
        List<String> missing = KernelImages.missing();
        if (!missing.isEmpty())
            throw new CudaUnavailableException("the jar has no compiled CUDA kernels (missing cuda/" + String.join(", cuda/", missing)
                    + "): it was built without nvcc; build them with ./dopt setup (cmake + nvcc) and rebuild the jar", null);
        try {
            int[] count = {0};
            cuDeviceGetCount(count);
            if (count[0] == 0) throw new CudaUnavailableException("the CUDA driver sees no device", null);
            return new CudaBackend(ordinalOf.applyAsInt(count[0]));
        } catch (CudaException e) {
            throw new CudaUnavailableException("the CUDA device could not be set up: " + firstLine(e), e);
        }
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage()).strip();
        // JCuda's UnsatisfiedLinkError lists every attempt; the dlopen failure names the missing library.
        // A later attempt (another multicore rank, with JCuda on the boot class path) gets "Could not
        // initialize class", whose cause carries the first error's text.
        for (Throwable c = e; c != null; c = c.getCause()) {
            for (String line : String.valueOf(c.getMessage()).split("\n")) {
                int at = line.indexOf(".so: ");
                if (line.contains("cannot open shared object file") && at >= 0) return line.substring(at + 5).strip();
            }
        }
        int nl = m.indexOf('\n');
        return e.getClass().getSimpleName() + ": " + (nl < 0 ? m : m.substring(0, nl).strip());
    }

    private CudaBackend(int ordinal) throws CudaUnavailableException {
        device = new CUdevice();
        cuDeviceGet(device, ordinal);
        context = new CUcontext();
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        byte[] raw = new byte[256];
        cuDeviceGetName(raw, raw.length, device);
        int len = 0;
        while (len < raw.length && raw[len] != 0) len++;
        int major = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        int minor = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        multiprocessors = attribute(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        name = "cuda:" + ordinal + " (" + new String(raw, 0, len, java.nio.charset.StandardCharsets.US_ASCII) + ", sm_" + major + minor + ")";
        for (Map.Entry<String, List<String>> e : KernelImages.ENTRY_POINTS.entrySet()) load(e.getKey(), e.getValue());
        cuMemAllocHost(pinned, 4L * STAGING_FLOATS);
        staging = pinned.getByteBuffer(0, 4L * STAGING_FLOATS).order(ByteOrder.nativeOrder()).asFloatBuffer();
        cuMemAlloc(partials, 8L * MAX_PARTIALS);
        cuMemAlloc(hist, 4L * 256);
    }

    private int attribute(int which) {
        int[] v = {0};
        cuDeviceGetAttribute(v, which, device);
        return v[0];
    }

    /** The fatbin (SASS for sm_80/sm_90, no JIT), else the PTX, which the driver compiles for this GPU. */
    private void load(String file, List<String> entries) throws CudaUnavailableException {
        CUmodule module = new CUmodule();
        byte[] fatbin = KernelImages.resource(file, "fatbin");
        boolean loaded = false;
        if (fatbin != null) {
            try {
                cuModuleLoadData(module, fatbin);
                loaded = true;
            } catch (CudaException e) {
                // e.g. no SASS for this GPU and a PTX version the driver is too old for: try the PTX
            }
        }
        if (!loaded) {
            try {
                cuModuleLoadData(module, KernelImages.ptx(file));
            } catch (CudaException e) {
                throw new CudaUnavailableException("the driver refused kernel file cuda/" + file + ".ptx (PTX from nvcc 13 needs "
                        + "driver >= 580): " + firstLine(e), e);
            }
        }
        modules.add(module);
        for (String entry : entries) {
            CUfunction f = new CUfunction();
            cuModuleGetFunction(f, module, entry);
            functions.put(entry, f);
        }
    }

    private void enter() {
        if (closed) throw new IllegalStateException("CUDA backend used after close");
        cuCtxSetCurrent(context);
    }

    private static DeviceArray array(Buffer b) {
        if (!(b instanceof DeviceArray d)) throw new IllegalArgumentException("not a CUDA buffer: " + b);
        if (d.freed) throw new IllegalStateException("CUDA buffer used after close");
        return d;
    }

    private static void within(Buffer b, long off, long n) {
        if (off < 0 || n < 0 || off + n > b.length())
            throw new IndexOutOfBoundsException("range [" + off + ", " + (off + n) + ") outside a buffer of " + b.length());
    }

    @Override public String name() { return name; }
    @Override public boolean onDevice() { return true; }

    @Override
    public Buffer allocate(long n) {
        if (n < 0) throw new IllegalArgumentException("buffer length must be >= 0: " + n);
        enter();
        DeviceArray d = new DeviceArray(this, n);
        cuMemAlloc(d.ptr, Math.max(4, 4 * n));
        if (n > 0) cuMemsetD32(d.ptr, 0, n);
        return d;
    }

    @Override
    public void upload(float[] src, int srcOff, Buffer dst, long dstOff, int n) {
        java.util.Objects.checkFromIndexSize(srcOff, n, src.length);
        within(dst, dstOff, n);
        enter();
        CUdeviceptr base = array(dst).ptr;
        for (int done = 0; done < n; ) {
            int c = Math.min(n - done, STAGING_FLOATS);
            staging.clear();
            staging.put(src, srcOff + done, c);
            // synchronous from pinned memory: the staging buffer is free again on return
            cuMemcpyHtoD(base.withByteOffset(4 * (dstOff + done)), pinned, 4L * c);
            done += c;
        }
    }

    @Override
    public void download(Buffer src, long srcOff, float[] dst, int dstOff, int n) {
        java.util.Objects.checkFromIndexSize(dstOff, n, dst.length);
        within(src, srcOff, n);
        enter();
        CUdeviceptr base = array(src).ptr;
        for (int done = 0; done < n; ) {
            int c = Math.min(n - done, STAGING_FLOATS);
            cuMemcpyDtoH(pinned, base.withByteOffset(4 * (srcOff + done)), 4L * c);
            staging.clear();
            staging.get(dst, dstOff + done, c);
            done += c;
        }
    }

    /** Kernel arguments: Long → long long, Integer → int, Float, Double, a buffer or device pointer, null → a null pointer. */
    private static Pointer args(Object... values) {
        Pointer[] p = new Pointer[values.length];
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            if (v == null) p[i] = Pointer.to(new long[] {0});
            else if (v instanceof Long x) p[i] = Pointer.to(new long[] {x});
            else if (v instanceof Integer x) p[i] = Pointer.to(new int[] {x});
            else if (v instanceof Float x) p[i] = Pointer.to(new float[] {x});
            else if (v instanceof Double x) p[i] = Pointer.to(new double[] {x});
            else if (v instanceof Buffer b) p[i] = Pointer.to(array(b).ptr);
            else if (v instanceof CUdeviceptr d) p[i] = Pointer.to(d);
            else throw new IllegalArgumentException("kernel argument of type " + v.getClass());
        }
        return Pointer.to(p);
    }

    /** Blocks for a grid-stride loop over n elements: enough to fill every multiprocessor several times. */
    private int grid(long n) {
        return (int) Math.max(1, Math.min((n + THREADS - 1) / THREADS, 32L * multiprocessors));
    }

    private void launch(String kernel, int gridX, int gridY, int blockX, int blockY, Object... values) {
        cuLaunchKernel(functions.get(kernel), gridX, gridY, 1, blockX, blockY, 1, 0, null, args(values), null);
    }

    private void launch1d(String kernel, long n, Object... values) {
        if (n > 0) launch(kernel, grid(n), 1, THREADS, 1, values);
    }

    @Override
    public void copy(Buffer src, Buffer dst, long n) {
        within(src, 0, n);
        within(dst, 0, n);
        enter();
        launch1d("copy_f32", Math.max(1, n / 4), n, src, dst);
    }

    @Override
    public void fill(Buffer x, long n, float value) {
        within(x, 0, n);
        enter();
        launch1d("fill_f32", n, n, value, x);
    }

    @Override
    public void synchronize() {
        enter();
        cuCtxSynchronize();
    }

    private void gemm(String kernel, Buffer a, Buffer b, Buffer c, int m, int k, int n, long aLen, long bLen) {
        if (m < 0 || k < 0 || n < 0) throw new IllegalArgumentException("negative matrix shape " + m + "×" + k + "×" + n);
        within(a, 0, aLen);
        within(b, 0, bLen);
        within(c, 0, (long) m * n);
        enter();
        if (m == 0 || n == 0) return;
        launch(kernel, (n + 63) / 64, (m + 63) / 64, 16, 16, m, k, n, a, b, c);
    }

    @Override public void matmul(Buffer a, Buffer b, Buffer c, int m, int k, int n) { gemm("sgemm_nn", a, b, c, m, k, n, (long) m * k, (long) k * n); }
    @Override public void matmulAT(Buffer a, Buffer b, Buffer c, int m, int k, int n) { gemm("sgemm_tn", a, b, c, m, k, n, (long) k * m, (long) k * n); }
    @Override public void matmulBT(Buffer a, Buffer b, Buffer c, int m, int k, int n) { gemm("sgemm_nt", a, b, c, m, k, n, (long) m * k, (long) n * k); }

    @Override
    public void axpy(long n, float a, Buffer x, Buffer y) {
        within(x, 0, n);
        within(y, 0, n);
        enter();
        launch1d("axpy_f32", n, n, a, x, y);
    }

    @Override
    public void scale(long n, float a, Buffer x) {
        within(x, 0, n);
        enter();
        launch1d("scale_f32", n, n, a, x);
    }

    @Override
    public void mul(long n, Buffer x, Buffer y, Buffer out) {
        within(x, 0, n);
        within(y, 0, n);
        within(out, 0, n);
        enter();
        launch1d("mul_f32", n, n, x, y, out);
    }

    /** One double per block, added on the host in block order (deterministic for a given device). */
    private double reduce(String kernel, Buffer x, long n) {
        within(x, 0, n);
        enter();
        if (n == 0) return 0;
        int blocks = (int) Math.min(MAX_PARTIALS, (n + THREADS - 1) / THREADS);
        launch(kernel, blocks, 1, THREADS, 1, n, x, partials);
        double[] host = new double[blocks];
        cuMemcpyDtoH(Pointer.to(host), partials, 8L * blocks);
        double s = 0;
        for (double v : host) s += v;
        return s;
    }

    @Override public double sum(Buffer x, long n) { return reduce("sum_partials_f32", x, n); }
    @Override public double squaredNorm(Buffer x, long n) { return reduce("sqnorm_partials_f32", x, n); }

    @Override
    public double clipByGlobalNorm(Buffer x, long n, double maxNorm) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("clip max norm must be positive: " + maxNorm);
        double sq = squaredNorm(x, n);
        launch1d("clip_scale_f32", n, n, x, maxNorm, sq);
        return Math.sqrt(sq);
    }

    @Override
    public void softmaxRows(Buffer x, int rows, int cols) {
        within(x, 0, (long) rows * cols);
        enter();
        if (rows > 0 && cols > 0) launch("softmax_rows_f32", rows, 1, THREADS, 1, rows, cols, x);
    }

    @Override
    public float softmaxCrossEntropy(Buffer logits, int[] labels, int batch, int classes, Buffer grad) {
        within(logits, 0, (long) batch * classes);
        if (grad != null) within(grad, 0, (long) batch * classes);
        for (int i = 0; i < batch; i++)
            if (labels[i] < 0 || labels[i] >= classes) throw new IllegalArgumentException("label " + labels[i] + " outside 0.." + (classes - 1));
        enter();
        CUdeviceptr lab = this.labels.atLeast(4L * batch), loss = rowLoss.atLeast(8L * batch);
        cuMemcpyHtoD(lab, Pointer.to(labels), 4L * batch);
        launch("softmax_xent_f32", batch, 1, THREADS, 1, batch, classes, logits, lab, grad, loss);
        double[] rows = new double[batch];
        cuMemcpyDtoH(Pointer.to(rows), loss, 8L * batch);
        double total = 0;
        for (double r : rows) total += r;
        return (float) (total / batch);
    }

    @Override
    public void adamDirection(Buffer g, Buffer m, Buffer v, Buffer out, long n, Adam adam, long t) {
        for (Buffer b : new Buffer[] {g, m, v, out}) within(b, 0, n);
        enter();
        launch1d("adam_direction_f32", n, n, g, m, v, out, adam.beta1(), adam.beta2(), adam.c1(), adam.c2(),
                adam.stepScale(t), adam.bc2Sqrt(t), adam.eps());
    }

    @Override
    public void adamStep(Buffer x, Buffer g, Buffer m, Buffer v, long n, Adam adam, long t, float lr, float weightDecay,
                         boolean decoupled, float gradScale) {
        for (Buffer b : new Buffer[] {x, g, m, v}) within(b, 0, n);
        enter();
        launch1d("adam_step_f32", n, n, x, g, m, v, adam.beta1(), adam.beta2(), adam.c1(), adam.c2(), adam.stepScale(t),
                adam.bc2Sqrt(t), adam.eps(), lr, weightDecay, decoupled ? 1 : 0, gradScale);
    }

    @Override
    public void signStep(Buffer x, Buffer g, long n, float lr, float gradScale) {
        within(x, 0, n);
        within(g, 0, n);
        enter();
        launch1d("sign_step_f32", n, n, x, g, lr, gradScale);
    }

    @Override
    public void frugalStep(Buffer x, Buffer g, Buffer m, Buffer v, long n, long lo, long hi, Adam adam, long t, float lr,
                           float freeScale, float weightDecay, float gradScale) {
        if (lo < 0 || lo > hi || hi > n) throw new IllegalArgumentException("FRUGAL block [" + lo + ", " + hi + ") is not inside [0, " + n + ")");
        within(x, 0, n);
        within(g, 0, n);
        within(m, 0, hi - lo);
        within(v, 0, hi - lo);
        enter();
        launch1d("frugal_step_f32", n, n, lo, hi, x, g, m, v, adam.beta1(), adam.beta2(), adam.c1(), adam.c2(), adam.stepScale(t),
                adam.bc2Sqrt(t), adam.eps(), lr, freeScale, weightDecay, gradScale);
    }

    @Override
    public void kateStep(Buffer x, Buffer g, Buffer b2, Buffer m2, Buffer etas, long n, float eta, float eps, float lr, float gradScale) {
        for (Buffer b : new Buffer[] {x, g, b2, m2}) within(b, 0, n);
        if (etas != null) within(etas, 0, n);
        enter();
        launch1d("kate_step_f32", n, n, x, g, b2, m2, etas, eta, eps, lr, gradScale);
    }

    @Override
    public void topK(Buffer x, int n, int k, int[] indices, float[] values) {
        if (k < 1 || k > n) throw new IllegalArgumentException("top-k needs 1 <= k <= n: k = " + k + ", n = " + n);
        within(x, 0, n);
        enter();
        // radix select of the k-th largest magnitude, 8 bits per pass from the top
        int prefix = 0, mask = 0, remaining = k;
        int[] h = new int[256];
        for (int shift = 24; shift >= 0; shift -= 8) {
            cuMemsetD32(hist, 0, 256);
            launch1d("topk_hist_f32", n, (long) n, x, prefix, mask, shift, hist);
            cuMemcpyDtoH(Pointer.to(h), hist, 4L * 256);
            int bin = 255, higher = 0;
            while (higher + h[bin] < remaining) higher += h[bin--];
            remaining -= higher;
            prefix |= bin << shift;
            mask |= 255 << shift;
        }
        int threshold = prefix, ties = remaining;
        int chunks = (int) Math.min(MAX_PARTIALS, Math.max(1, (n + 4095L) / 4096));
        long chunk = (n + chunks - 1L) / chunks;
        CUdeviceptr cnt = counts.atLeast(8L * chunks), pl = plan.atLeast(8L * chunks);
        launch("topk_count_f32", chunks, 1, THREADS, 1, (long) n, x, threshold, chunk, cnt);
        int[] c = new int[2 * chunks], p = new int[2 * chunks];
        cuMemcpyDtoH(Pointer.to(c), cnt, 8L * chunks);
        int offset = 0, equalBefore = 0;
        for (int b = 0; b < chunks; b++) {
            int quota = Math.max(0, Math.min(c[2 * b + 1], ties - equalBefore));
            p[2 * b] = offset;
            p[2 * b + 1] = quota;
            offset += c[2 * b] + quota;
            equalBefore += c[2 * b + 1];
        }
        if (offset != k) throw new IllegalStateException("top-k selected " + offset + " entries instead of " + k + " (non-finite input?)");
        cuMemcpyHtoD(pl, Pointer.to(p), 8L * chunks);
        CUdeviceptr idx = topIndex.atLeast(4L * k), val = topValue.atLeast(4L * k);
        launch("topk_compact_f32", chunks, 1, THREADS, 1, (long) n, x, threshold, chunk, pl, idx, val);
        cuMemcpyDtoH(Pointer.to(indices), idx, 4L * k);
        cuMemcpyDtoH(Pointer.to(values), val, 4L * k);
    }

    @Override
    public void close() {
        if (closed) return;
        cuCtxSetCurrent(context);
        for (Scratch s : new Scratch[] {rowLoss, labels, counts, plan, topIndex, topValue}) s.free();
        cuMemFree(partials);
        cuMemFree(hist);
        cuMemFreeHost(pinned);
        for (CUmodule m : modules) cuModuleUnload(m);
        cuDevicePrimaryCtxRelease(device);
        closed = true;
    }
}
