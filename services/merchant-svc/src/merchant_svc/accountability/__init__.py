"""Service records and accountability (商家服务记录制度): every service recorded, complaints investigated."""
