FROM python:3.11-slim
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir -e .
ENV AKLEDGER_HOME=/data
VOLUME ["/data"]
EXPOSE 8000
CMD ["akledger", "serve", "--host", "0.0.0.0", "--port", "8000"]
