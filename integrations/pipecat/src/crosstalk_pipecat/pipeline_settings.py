"""A Pipecat user aggregator's configuration as Crosstalk `--set` keys (hello `settings`) and `config`."""

from __future__ import annotations

from typing import Any


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _ms(seconds: Any) -> int | None:
    value = _number(seconds)
    return None if value is None else round(value * 1000)


class _DefaultSmartTurnParams:
    """The parameters of the default `LocalSmartTurnAnalyzerV3` (Pipecat's `SmartTurnParams`)."""

    def __init__(self) -> None:
        try:
            from pipecat.audio.turn.smart_turn.base_smart_turn import SmartTurnParams

            defaults = SmartTurnParams()
            self.stop_secs = defaults.stop_secs
            self.pre_speech_ms = defaults.pre_speech_ms
            self.max_duration_secs = defaults.max_duration_secs
        except Exception:  # noqa: BLE001 - documented defaults of pipecat-ai 1.14
            self.stop_secs, self.pre_speech_ms, self.max_duration_secs = 3.0, 500.0, 8.0


class LocalSmartTurnAnalyzerV3:
    """Stands for the analyzer of Pipecat's default stop strategy (only its name and parameters are read)."""

    def __init__(self) -> None:
        self.params = _DefaultSmartTurnParams()


class TurnAnalyzerUserTurnStopStrategy:
    """Stands for Pipecat's default stop strategy when the aggregator was given none."""

    def __init__(self) -> None:
        self._turn_analyzer = LocalSmartTurnAnalyzerV3()


_DefaultSmartTurn = TurnAnalyzerUserTurnStopStrategy


def describe(aggregator_params: Any, vad_analyzer: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """(settings, config) for an `LLMUserAggregatorParams` (any object with its public fields).

    settings (`--set` keys → values, only what the pipeline's own configuration determines):
    - `pipeline.vad.engine` `silero` (a `SileroVADAnalyzer`), `pipeline.vad.threshold` (VADParams
      `confidence`), `pipeline.vad.start_ms` / `pipeline.vad.stop_ms` (`start_secs` / `stop_secs`);
    - Smart Turn (`TurnAnalyzerUserTurnStopStrategy`): `pipeline.endpointing.max_delay_ms` (the
      analyzer's `stop_secs`, the silence that forces the end);
    - `SpeechTimeoutUserTurnStopStrategy`: `pipeline.endpointing.mode` `silence` and
      `pipeline.endpointing.silence_ms` (VAD `stop_secs` + `user_speech_timeout`);
    - `pipeline.bargein.mode` `vad` (Pipecat interrupts the bot when the user turn starts) and
      `pipeline.bargein.min_speech_ms` (the VAD's `start_secs`: the speech before that start).
    config: the same objects' class names and parameters, as Pipecat names them.
    """
    settings: dict[str, Any] = {}
    config: dict[str, Any] = {"framework": "pipecat"}
    vad = vad_analyzer if vad_analyzer is not None else getattr(aggregator_params, "vad_analyzer", None)
    vad_start_ms: int | None = None
    vad_stop_ms: int | None = None
    if vad is not None:
        params = getattr(vad, "params", None)
        vad_config: dict[str, Any] = {"class": type(vad).__name__}
        if "Silero" in type(vad).__name__:
            settings["pipeline.vad.engine"] = "silero"
        confidence = _number(getattr(params, "confidence", None))
        if confidence is not None and 0 <= confidence <= 1:
            settings["pipeline.vad.threshold"] = confidence
            vad_config["confidence"] = confidence
        vad_start_ms = _ms(getattr(params, "start_secs", None))
        vad_stop_ms = _ms(getattr(params, "stop_secs", None))
        if vad_start_ms is not None:
            settings["pipeline.vad.start_ms"] = vad_start_ms
            vad_config["start_secs"] = vad_start_ms / 1000
        if vad_stop_ms is not None:
            settings["pipeline.vad.stop_ms"] = vad_stop_ms
            vad_config["stop_secs"] = vad_stop_ms / 1000
        min_volume = _number(getattr(params, "min_volume", None))
        if min_volume is not None:
            vad_config["min_volume"] = min_volume
        config["vad"] = vad_config
    strategies = getattr(aggregator_params, "user_turn_strategies", None)
    stops = list(getattr(strategies, "stop", None) or [])
    if strategies is None and aggregator_params is not None:
        stops = [_DefaultSmartTurn()]  # Pipecat's default stop strategy, not built here (it loads a model)
    starts = list(getattr(strategies, "start", None) or [])
    config["user_turn_start"] = [type(s).__name__ for s in starts]
    stop_config: list[dict[str, Any]] = []
    for strategy in stops:
        entry: dict[str, Any] = {"class": type(strategy).__name__}
        analyzer = getattr(strategy, "_turn_analyzer", None)
        if analyzer is not None:
            entry["turn_analyzer"] = type(analyzer).__name__
            turn_params = getattr(analyzer, "params", None)
            stop_ms = _ms(getattr(turn_params, "stop_secs", None))
            if stop_ms is not None:
                entry["stop_secs"] = stop_ms / 1000
                if len(stops) == 1:
                    settings["pipeline.endpointing.max_delay_ms"] = stop_ms
            for name in ("pre_speech_ms", "max_duration_secs"):
                value = _number(getattr(turn_params, name, None))
                if value is not None:
                    entry[name] = value
        timeout = _number(getattr(strategy, "_user_speech_timeout", None))
        if timeout is not None:
            entry["user_speech_timeout"] = timeout
            if len(stops) == 1 and type(strategy).__name__ == "SpeechTimeoutUserTurnStopStrategy":
                settings["pipeline.endpointing.mode"] = "silence"
                settings["pipeline.endpointing.silence_ms"] = (vad_stop_ms or 0) + round(timeout * 1000)
        stop_config.append(entry)
    config["user_turn_stop"] = stop_config
    interruptions = all(bool(getattr(s, "_enable_interruptions", True)) for s in starts) if starts else True
    settings["pipeline.bargein.mode"] = "vad" if interruptions else "none"
    if interruptions and vad_start_ms is not None:
        settings["pipeline.bargein.min_speech_ms"] = vad_start_ms
    return settings, config
