"""PyTorch peer for benchmarks/engine-lm.sh: dopt's TransformerLm rebuilt module for module.

The same LLaMA-style decoder as java/main/dopt/nn/TransformerLm.java (Meta's llama/model.py without
the KV cache): token embedding; per block RMSNorm (eps 1e-5 inside the root, weight ones) ->
wq/wk/wv (no bias) -> RoPE on adjacent pairs (2i, 2i+1), base 10000 -> causal softmax attention,
scale 1/sqrt(head_dim) -> wo -> residual; RMSNorm -> SwiGLU w2(silu(w1 h) * w3 h) -> residual;
final RMSNorm; untied head `output` (or tied to the embedding). Parameter names are Meta's, which
are also dopt's, so the two parameter lists can be compared name by name (engine-lm.sh does).

One training step = forward + mean cross-entropy over batch*seq positions + backward +
torch.optim.AdamW(lr 1e-3, betas (0.9, 0.999), eps 1e-8, weight_decay 1e-2), the defaults of
dopt's `adamw` rule. Prints JSON: {"torch", "preset", "threads", "params": {name: shape},
"param_count", "ms": [per-repeat ms per step], "foreach"}.

    /usr/bin/python3 benchmarks/lm_torch.py PRESET THREADS [BATCH SEQ SECONDS]
"""
import json, math, sys, time
import torch
import torch.nn.functional as F

# TransformerConfig presets: vocab, dim, layers, heads, tied (hidden = TransformerConfig.defaultHidden)
PRESETS = {"1m": (256, 128, 5, 4, False), "20m": (256, 512, 6, 8, False)}
HIDDEN_MULTIPLE = 32
NORM_EPS = 1e-5


def default_hidden(dim):
    h = 2 * (4 * dim) // 3
    return (h + HIDDEN_MULTIPLE - 1) // HIDDEN_MULTIPLE * HIDDEN_MULTIPLE


class RMSNorm(torch.nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + NORM_EPS) * self.weight


def rope_tables(head_dim, max_seq):
    i = torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim
    angles = torch.outer(torch.arange(max_seq, dtype=torch.float64), 10000.0 ** -i)
    return torch.cos(angles).float(), torch.sin(angles).float()


def rope(x, cos, sin):
    # x [B, T, H, hd]; pairs (2i, 2i+1) rotated by t*theta_i, as llama's apply_rotary_emb
    a, b = x[..., 0::2], x[..., 1::2]
    c, s = cos[None, :, None, :], sin[None, :, None, :]
    return torch.stack((a * c - b * s, a * s + b * c), dim=-1).flatten(-2)


class Attention(torch.nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads, self.hd = heads, dim // heads
        self.wq = torch.nn.Linear(dim, dim, bias=False)
        self.wk = torch.nn.Linear(dim, dim, bias=False)
        self.wv = torch.nn.Linear(dim, dim, bias=False)
        self.wo = torch.nn.Linear(dim, dim, bias=False)

    def forward(self, x, cos, sin, mask):
        B, T, D = x.shape
        q = rope(self.wq(x).view(B, T, self.heads, self.hd), cos, sin).transpose(1, 2)
        k = rope(self.wk(x).view(B, T, self.heads, self.hd), cos, sin).transpose(1, 2)
        v = self.wv(x).view(B, T, self.heads, self.hd).transpose(1, 2)
        s = (q @ k.transpose(-1, -2)) / math.sqrt(self.hd) + mask
        o = torch.softmax(s, dim=-1) @ v
        return self.wo(o.transpose(1, 2).reshape(B, T, D))


class FeedForward(torch.nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.w1 = torch.nn.Linear(dim, hidden, bias=False)
        self.w2 = torch.nn.Linear(hidden, dim, bias=False)
        self.w3 = torch.nn.Linear(dim, hidden, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class Block(torch.nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.attention = Attention(dim, heads)
        self.feed_forward = FeedForward(dim, hidden)
        self.attention_norm = RMSNorm(dim)
        self.ffn_norm = RMSNorm(dim)

    def forward(self, x, cos, sin, mask):
        h = x + self.attention(self.attention_norm(x), cos, sin, mask)
        return h + self.feed_forward(self.ffn_norm(h))


class TransformerLm(torch.nn.Module):
    def __init__(self, vocab, dim, layers, heads, tied, max_seq):
        super().__init__()
        self.tok_embeddings = torch.nn.Embedding(vocab, dim)
        self.layers = torch.nn.ModuleList(Block(dim, heads, default_hidden(dim)) for _ in range(layers))
        self.norm = RMSNorm(dim)
        self.tied = tied
        if not tied:
            self.output = torch.nn.Linear(dim, vocab, bias=False)
        cos, sin = rope_tables(dim // heads, max_seq)
        self.register_buffer("cos", cos)
        self.register_buffer("sin", sin)
        for name, p in self.named_parameters():
            if not name.endswith("norm.weight"):
                torch.nn.init.normal_(p, std=0.02)   # TransformerLm.INIT_STD

    def forward(self, tokens):
        T = tokens.shape[1]
        mask = torch.full((T, T), float("-inf")).triu(1)
        x = self.tok_embeddings(tokens)
        for blk in self.layers:
            x = blk(x, self.cos[:T], self.sin[:T], mask)
        h = self.norm(x)
        return h @ self.tok_embeddings.weight.t() if self.tied else self.output(h)


def main(preset, threads, batch=8, seq=128, seconds=3.0, repeats=3):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    vocab, dim, layers, heads, tied = PRESETS[preset]
    model = TransformerLm(vocab, dim, layers, heads, tied, seq)
    data = torch.randint(0, vocab, (batch, seq + 1))
    x, y = data[:, :-1].contiguous(), data[:, 1:].contiguous()
    # foreach=True: one kernel per operation over all tensors (torch 1.13's default is the per-tensor loop)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, foreach=True)

    def step():
        opt.zero_grad(set_to_none=False)
        loss = F.cross_entropy(model(x).view(-1, vocab), y.view(-1))
        loss.backward()
        opt.step()

    for _ in range(2):   # the first allocates AdamW's moments
        step()
    ms = []
    for _ in range(repeats):
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            step()
            n += 1
        ms.append((time.perf_counter() - t0) / n * 1e3)
    json.dump({"torch": torch.__version__, "preset": preset, "threads": threads, "batch": batch, "seq": seq,
               "foreach": True, "param_count": sum(p.numel() for p in model.parameters()),
               "params": {n: list(p.shape) for n, p in model.named_parameters()}, "ms": ms}, sys.stdout)


if __name__ == "__main__":
    a = sys.argv[1:]
    main(a[0], int(a[1]), *(int(v) for v in a[2:4]), *(float(v) for v in a[4:5]))
