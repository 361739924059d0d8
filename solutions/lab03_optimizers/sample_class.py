"""Lab 3's partial student: Adagrad and Adam are right, RMSprop puts eps inside the square root (only tiny
gradients tell), and trajectory forgets the starting point."""

PARTIAL = {
    "RMSprop.step": '''
@torch.no_grad()
def step(self, closure=None):
    for group in self.param_groups:
        for p in group["params"]:
            if p.grad is None:
                continue
            g = p.grad if group["weight_decay"] == 0 else p.grad.add(p, alpha=group["weight_decay"])
            state = self.state[p]
            if not state:
                state["square_avg"] = torch.zeros_like(p)
            state["square_avg"].mul_(group["alpha"]).addcmul_(g, g, value=1 - group["alpha"])
            p.addcdiv_(g, state["square_avg"].add(group["eps"]).sqrt(), value=-group["lr"])
''',
    "trajectory": '''
def trajectory(optimizer_factory, fn, x0, steps):
    x = x0.detach().clone().requires_grad_(True)
    optimizer = optimizer_factory([x])
    points = []
    for _ in range(steps):
        optimizer.zero_grad()
        fn(x).backward()
        optimizer.step()
        points.append(x.detach().clone())
    return torch.stack(points) if points else x0[None]
''',
}
