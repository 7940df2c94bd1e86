drop table self_service_requests;
