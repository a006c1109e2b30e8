"""Pages of the Streamlit app (one file per page) and their shared state."""
