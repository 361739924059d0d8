"""labkit's training helpers, on a tiny model."""

import lightning as L
import torch
from torch.utils.data import DataLoader, TensorDataset

from labkit import training


class _EpochEcho(L.LightningModule):
    """Logs its own epoch number as validation metrics, from a step and from the epoch-end hook (where torchmetrics'
    compute() usually runs), so a history can be checked against it."""

    def __init__(self) -> None:
        super().__init__()
        self.w = torch.nn.Parameter(torch.zeros(1))

    def training_step(self, batch, _):
        return (self.w * batch[0]).sum()

    def validation_step(self, batch, _):
        self.log("val/epoch", float(self.current_epoch), on_epoch=True)

    def on_validation_epoch_end(self):
        self.log("val/epoch_end", float(self.current_epoch))

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


def test_metric_history_holds_each_epochs_own_validation_metrics(tmp_path):
    data = DataLoader(TensorDataset(torch.ones(4, 1)), batch_size=2)
    history = training.MetricHistory()
    trainer = training.make_trainer("test", max_epochs=3, callbacks=[history], logger=False,
                                    default_root_dir=str(tmp_path), enable_progress_bar=False,
                                    enable_model_summary=False)
    trainer.fit(_EpochEcho(), data, data)
    assert history.series("val/epoch") == [0.0, 1.0, 2.0]
    assert history.series("val/epoch_end") == [0.0, 1.0, 2.0]
