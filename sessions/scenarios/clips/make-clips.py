#!/usr/bin/env python3
"""Builds the recorded clips of sessions/scenarios/noisy-cafe.yaml from real human speech.

The caller's clips and the café babble are LibriVox readings (public domain) that Debian's
pocketsphinx-testdata package ships as 16 kHz WAV with transcriptions. The babble mixes three
other readings at staggered offsets into a 9 s loop (8 kHz: Crosstalk resamples it).
Usage: sessions/scenarios/clips/make-clips.py   (needs pocketsphinx-testdata and flac)
"""
import os, struct, subprocess, tempfile, wave

SRC = "/usr/share/pocketsphinx/test/data/librivox/sense_and_sensibility_01_austen_64kb-%s.wav"
HERE = os.path.dirname(os.path.abspath(__file__))

def read(name):
    with wave.open(SRC % name) as w:
        assert w.getframerate() == 16000 and w.getnchannels() == 1
        frames = w.readframes(w.getnframes())
    return list(struct.unpack("<%dh" % (len(frames) // 2), frames))

def write_flac(path, samples, rate):
    with tempfile.NamedTemporaryFile(suffix=".wav") as tmp:
        with wave.open(tmp.name, "wb") as w:
            w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
            w.writeframes(struct.pack("<%dh" % len(samples), *samples))
        subprocess.run(["flac", "--silent", "--force", "--best", "-o", path, tmp.name], check=True)

write_flac(os.path.join(HERE, "caller-1.flac"), read("0880"), 16000)   # "he was not an ill disposed young man"
write_flac(os.path.join(HERE, "caller-2.flac"), read("0930"), 16000)   # "he might even have been made amiable himself"

loop = [0] * (9 * 16000)
for name, offset in (("0870", 0.0), ("0920", 2.5), ("0890", 5.0)):
    for i, s in enumerate(read(name)):
        loop[(int(offset * 16000) + i) % len(loop)] += s
loop = [max(-32768, min(32767, s // 2)) for s in loop[::2]]  # 16 kHz -> 8 kHz by dropping samples: aliasing only roughens babble
write_flac(os.path.join(HERE, "cafe-babble.flac"), loop, 8000)
