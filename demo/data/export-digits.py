# Writes demo/data/digits.bin from scikit-learn's copy of the UCI optical digits data
# (load_digits: 1797 images of 8 x 8 pixels in 0..16) with the demo's fixed split.
# Run once with Debian's python3-sklearn: /usr/bin/python3 demo/data/export-digits.py
# Layout: 1797 records of 66 bytes: 64 pixels (row-major, 0..16), the label (0..9), the split
# (0 train, 1 validation, 2 test). The split: 25% test stratified by label
# (train_test_split(random_state=0)), then 10% of all images as validation, stratified, from the rest.
import os
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

d = load_digits()
x = d.data.astype(np.uint8)
y = d.target.astype(np.uint8)
idx = np.arange(len(y))
rest, test = train_test_split(idx, test_size=0.25, stratify=y, random_state=0)
train, val = train_test_split(rest, test_size=180, stratify=y[rest], random_state=0)
split = np.zeros(len(y), np.uint8)
split[val] = 1
split[test] = 2
out = np.concatenate([x, y[:, None], split[:, None]], axis=1).astype(np.uint8)
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'digits.bin')
out.tofile(path)
print(path, out.shape, 'train', len(train), 'val', len(val), 'test', len(test))
