"""Energy and emissions assumptions: what a chip-hour costs the grid."""

from __future__ import annotations

from dataclasses import dataclass

# Energy = chip-hours x chip TDP x server/chip power ratio x average load x datacenter PUE.
# Figures and their basis: shared reference hardware.md, "Energy" (Epoch AI; Llama 2 paper).
SERVER_POWER_FACTOR = 1.5  # whole 8-GPU server per chip's TDP: CPUs, memory, network, fans (1.3-1.8)
AVERAGE_LOAD = 0.75        # average draw as a fraction of that peak during training (~0.75)
PUE = 1.2                  # datacenter power usage effectiveness (1.1 hyperscale to 1.25+ elsewhere)
GRID_INTENSITY = 0.42      # kgCO2e per kWh: implied by Llama 2's 291 tCO2eq for 1,720,320 A100-hours at 400 W

SOURCES = {
    "server_power_factor": "server/chip power ratio for 8-GPU servers, ~1.3-1.8 (Epoch AI, 2024)",
    "average_load": "average load ~0.75 of peak server power during training (Epoch AI, 2024)",
    "pue": "datacenter PUE 1.1 (hyperscale) to 1.25+ (elsewhere); 1.2 taken as typical (Epoch AI, 2024)",
    "grid_intensity": "0.42 kgCO2e/kWh implied by Llama 2 (arXiv 2307.09288, 2023): 291 tCO2eq for "
                      "1,720,320 A100-hours at 400 W",
}


@dataclass(frozen=True)
class EnergyAssumptions:
    """The factors that turn chip-hours into megawatt-hours and tonnes of CO2e."""

    server_power_factor: float = SERVER_POWER_FACTOR
    average_load: float = AVERAGE_LOAD
    pue: float = PUE
    grid_intensity: float = GRID_INTENSITY  # kgCO2e/kWh

    @property
    def factor(self) -> float:
        """Facility energy per unit of chip TDP-hours."""
        return self.server_power_factor * self.average_load * self.pue
