"""grt_model.py: the graph-recurrent twin model (GRT) in PyTorch, written from
the equations of DESIGN.md ("The neural twin"), independently of twinscale's C.

    agg_l  = adj @ z_{l-1}                                    (per twin)
    z_l    = tanh(z_{l-1} W_self_l^T + b_l + agg_l W_nbr_l^T)
    (h, c) = nn.LSTMCell(z_L as (B*N, H), (h, c))
    y_t    = head(h) = Linear(Hr, M) -> ReLU -> Linear(M, O), as (B, N, O)

The module's state_dict names are the twinscale model-file dataset names
(gnn.{l}.lin_self.weight, ..., lstm.weight_ih, ..., head.2.bias). Also here:
the MSE loss (mean over all output elements, or mask-weighted) and the
reading/writing of twinscale model files with h5py.
"""
import torch
from torch import nn

SIZE_NAMES = ("N", "F", "H", "Hr", "L", "M", "O")


class GNNLayer(nn.Module):
    def __init__(self, fin, width):
        super().__init__()
        self.lin_self = nn.Linear(fin, width)
        self.lin_nbr = nn.Linear(fin, width, bias=False)

    def forward(self, z, adj):
        # z is (B,N,in); adj is (N,N) or (B,N,N): matmul broadcasts either way
        agg = torch.matmul(adj, z)
        return torch.tanh(self.lin_self(z) + self.lin_nbr(agg))


class GRT(nn.Module):
    def __init__(self, N, F, H, Hr, L, M, O):
        super().__init__()
        self.sizes = dict(N=N, F=F, H=H, Hr=Hr, L=L, M=M, O=O)
        self.gnn = nn.ModuleList([GNNLayer(F if l == 0 else H, H) for l in range(L)])
        self.lstm = nn.LSTMCell(H, Hr)
        self.head = nn.Sequential(nn.Linear(Hr, M), nn.ReLU(), nn.Linear(M, O))

    def forward(self, x, adj, h0=None, c0=None):
        # x is (B,T,N,F); returns y (B,T,N,O), h and c (B,N,Hr)
        B, T, N, _ = x.shape
        Hr = self.sizes["Hr"]
        h = h0.reshape(B * N, Hr) if h0 is not None else x.new_zeros(B * N, Hr)
        c = c0.reshape(B * N, Hr) if c0 is not None else x.new_zeros(B * N, Hr)
        ys = []
        for t in range(T):
            z = x[:, t]
            for layer in self.gnn:
                z = layer(z, adj)
            h, c = self.lstm(z.reshape(B * N, -1), (h, c))
            ys.append(self.head(h).reshape(B, N, -1))
        return torch.stack(ys, 1), h.reshape(B, N, Hr), c.reshape(B, N, Hr)

    def forward_batched(self, x, adj, h0=None, c0=None):
        """The same function, written the way a PyTorch user tunes it: the GNN
        reads only x_t, so it runs once over all T steps; the head runs once over
        all hidden states; only the LSTMCell loops over time."""
        B, T, N, _ = x.shape
        Hr = self.sizes["Hr"]
        a = adj.unsqueeze(1) if adj.dim() == 3 else adj  # (B,1,N,N) broadcasts over T
        z = x
        for layer in self.gnn:
            z = layer(z, a)
        z = z.transpose(0, 1).reshape(T, B * N, -1)
        h = h0.reshape(B * N, Hr) if h0 is not None else x.new_zeros(B * N, Hr)
        c = c0.reshape(B * N, Hr) if c0 is not None else x.new_zeros(B * N, Hr)
        hs = []
        for t in range(T):
            h, c = self.lstm(z[t], (h, c))
            hs.append(h)
        y = self.head(torch.stack(hs, 0)).reshape(T, B, N, -1).transpose(0, 1)
        return y, h.reshape(B, N, Hr), c.reshape(B, N, Hr)


def mse_loss(y, target, mask=None):
    """Mean over all output elements; with a mask, sum(mask*(y-t)^2)/sum(mask)."""
    if mask is None:
        return ((y - target) ** 2).mean()
    return (mask * (y - target) ** 2).sum() / mask.sum()


def save_model(model, path):
    """Writes a twinscale model file: one float32 dataset per state_dict entry at
    the root, under its PyTorch name, and the sizes as root attributes."""
    import h5py
    with h5py.File(path, "w") as f:
        for k in SIZE_NAMES:
            f.attrs[k] = model.sizes[k]
        for name, t in model.state_dict().items():
            ds = f.create_dataset(name, data=t.detach().cpu().float().numpy())
            ds.attrs["units"] = "1"


def load_model(path):
    """Reads a twinscale model file into a GRT (float32)."""
    import h5py
    with h5py.File(path, "r") as f:
        sizes = {k: int(f.attrs[k]) for k in SIZE_NAMES}
        model = GRT(**sizes)
        state = {name: torch.from_numpy(f[name][...]) for name in model.state_dict()}
    model.load_state_dict(state)
    return model
