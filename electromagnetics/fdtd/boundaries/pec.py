"""Perfect electric and magnetic conductor walls."""

from electromagnetics.fdtd.boundaries.base import Boundary


def _tangential(axis):
    return [c for c in range(3) if c != axis]


def _face_index(axis, index):
    idx = [slice(None)] * 3
    idx[axis] = index
    return tuple(idx)


class PEC(Boundary):
    """Perfect electric conductor: tangential E = 0 on the face.

    The low wall sits on the E nodes at coordinate 0 (they are zeroed after each E update); the
    high wall at ``n d`` (the ghost E nodes one past the array are 0).
    """

    def fix_e(self, fields, axis, high):
        if not high:
            for c in _tangential(axis):
                fields.E[c][_face_index(axis, 0)] = 0


class PMC(Boundary):
    """Perfect magnetic conductor: tangential H = 0 on the face.

    The low wall sits at ``-d/2`` (ghost H nodes are 0); the high wall on the last H nodes at
    ``(n - 1/2) d`` (zeroed after each H update).
    """

    def fix_h(self, fields, axis, high):
        if high:
            for c in _tangential(axis):
                fields.H[c][_face_index(axis, -1)] = 0
