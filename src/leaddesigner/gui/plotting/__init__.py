"""The plotting toolkit (palette, fonts, axes, legend, plot panel) and the Overview's plots."""
