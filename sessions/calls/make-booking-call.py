#!/usr/bin/env python3
"""Builds booking-call.flac (caller left, bot right, 16 kHz) and booking-call.json (its transcript).

A stand-in for a real two-channel call recording, made with espeak-ng so it can be rebuilt
anywhere: the caller hesitates for 700 ms inside turn 2 (a 500 ms silence endpointer cuts it off)
and talks over the bot's third reply. Line noise at about -55 dBFS on the caller channel.
Usage: sessions/calls/make-booking-call.py   (needs espeak-ng and sox)
"""
import json, os, random, struct, subprocess, tempfile, wave

RATE = 16000
HERE = os.path.dirname(os.path.abspath(__file__))

def speak(text, voice):
    with tempfile.NamedTemporaryFile(suffix=".wav") as raw, tempfile.NamedTemporaryFile(suffix=".wav") as out:
        subprocess.run(["espeak-ng", "-v", voice, "-s", "165", "-w", raw.name, text], check=True)
        subprocess.run(["sox", raw.name, "-r", str(RATE), out.name], check=True)
        with wave.open(out.name) as w:
            frames = w.readframes(w.getnframes())
    samples = list(struct.unpack("<%dh" % (len(frames) // 2), frames))
    # Trim espeak's leading/trailing silence so transcript times are speech times.
    loud = [i for i, s in enumerate(samples) if abs(s) > 300]
    return samples[loud[0]:loud[-1] + 1]

def place(track, samples, at):
    start = int(at * RATE)
    need = start + len(samples)
    if len(track) < need:
        track.extend([0] * (need - len(track)))
    for i, s in enumerate(samples):
        track[start + i] += s
    return start / RATE, need / RATE

caller, bot = [], []
transcript = {"caller": [], "bot": []}
def say(parts, at):
    t = at
    words = []
    first = None
    for p in parts:
        if isinstance(p, float):
            t += p
            continue
        a, b = place(caller, speak(p, "en-us"), t)
        first = a if first is None else first
        # Word times spread over the phrase by length (espeak-ng's CLI gives no word events).
        ws = p.split()
        total = sum(len(w) + 1 for w in ws)
        used = 0
        for w in ws:
            wa = a + (b - a) * used / total
            used += len(w) + 1
            words.append({"word": w, "start": round(wa, 3), "end": round(a + (b - a) * (used - 1) / total, 3)})
        t = b
    transcript["caller"].append({"start": round(first, 3), "end": round(t, 3),
                                 "text": " ".join(w["word"] for w in words), "words": words})
    return t

def reply(text, at):
    a, b = place(bot, speak(text, "en-gb"), at)
    transcript["bot"].append({"start": round(a, 3), "end": round(b, 3), "text": text})
    return b

t = say(["Hi, I'd like to book a table in Bangalore."], 0.6)
t = reply("Sure. For how many people, and when?", t + 0.9)
t = say(["A table for", 0.7, "four people, tomorrow at eight."], t + 0.5)
t = reply("Great, a table for four tomorrow at eight. Do you have any dietary requirements?", t + 1.0)
t = say(["Actually, make it five."], t - 2.2)   # talks over the end of the bot's reply
t = reply("Done, five people, tomorrow at eight.", t + 0.8)
end = t + 1.0

n = int(end * RATE)
rng = random.Random(7)
caller += [0] * (n - len(caller)); bot += [0] * (n - len(bot))
caller = [max(-32768, min(32767, s + int(rng.gauss(0, 60)))) for s in caller[:n]]
bot = [max(-32768, min(32767, s)) for s in bot[:n]]
with tempfile.NamedTemporaryFile(suffix=".wav") as tmp:
    with wave.open(tmp.name, "wb") as w:
        w.setnchannels(2); w.setsampwidth(2); w.setframerate(RATE)
        w.writeframes(b"".join(struct.pack("<hh", c, b) for c, b in zip(caller, bot)))
    subprocess.run(["sox", tmp.name, os.path.join(HERE, "booking-call.flac")], check=True)
with open(os.path.join(HERE, "booking-call.json"), "w") as f:
    json.dump(transcript, f, indent=2)
    f.write("\n")
print("wrote booking-call.flac (%.1f s) and booking-call.json" % end)
